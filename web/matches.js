// Placeholder of part "matches" (issue 23): the staff match panels of an offer's exposé and a
// need's view. The lead merges the real module; until then the slots stay empty.

/** Fills `section` with the best needs for `offer` (staff). */
export function mountOfferMatches(section, offer) { // eslint-disable-line no-unused-vars
}

/** Fills `section` with the best offers for `need` (staff). */
export function mountNeedMatches(section, need) { // eslint-disable-line no-unused-vars
}
