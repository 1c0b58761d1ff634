// Placeholder of part "matches" (issue 23): the exposé and the need view call these.
export function mountOfferMatches(section, offer) {}
export function mountNeedMatches(section, need) {}
