// Placeholder of part "inquiries" (issue 23): the exposé calls this with its #anfrage section.
export function mountInquiryForm(section, offer) {}
