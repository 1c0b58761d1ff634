// German labels for the ASCII identifiers of the API (issue 3: "The web app shows German labels
// for them"). The API and the database keep the identifiers; only the page shows these words.
//
// The order of each map is the order the UI lists them in (the status map follows the
// lifecycle gemeldet → bestätigt → in Aktivierung → aktiviert, then the two exits).

/** Status of a vacancy. */
export const STATUS_LABELS = Object.freeze({
  gemeldet: 'Gemeldet',
  bestaetigt: 'Bestätigt',
  in_aktivierung: 'In Aktivierung',
  aktiviert: 'Aktiviert',
  abgerissen: 'Abgerissen',
  kein_leerstand: 'Kein Leerstand',
});

/** Former or intended use of a vacant building. */
export const USE_LABELS = Object.freeze({
  wohnen: 'Wohnen',
  gewerbe: 'Gewerbe',
  laden: 'Laden',
  gemischt: 'Gemischt',
  oeffentlich: 'Öffentlich',
  landwirtschaft: 'Landwirtschaft',
  sonstiges: 'Sonstiges',
});

// The activation loop (issue 23): how an offer may be taken on (matching::k_offer_kinds), the
// status of an offer, and the outcome of a suggestion (a Vermittlung) as staff record it.
/** Kind of an offer, and the kinds a need wants. */
export const OFFER_KIND_LABELS = Object.freeze({
  miete: 'Miete',
  kauf: 'Kauf',
  erbpacht: 'Erbpacht',
  zwischennutzung: 'Zwischennutzung',
  konzeptvergabe: 'Konzeptvergabe',
});

/** Outcome of a suggestion. */
export const MATCH_STATUS_LABELS = Object.freeze({
  kontaktiert: 'Kontaktiert',
  angenommen: 'Zugesagt',
  abgeschlossen: 'Abgeschlossen',
  abgelehnt: 'Abgesagt',
});

/** Whether the whole building or only part of it stands empty. */
export const DEGREE_LABELS = Object.freeze({
  vollstaendig: 'vollständig',
  teilweise: 'teilweise',
});

/** Kind of owner (internal: the public never receives it). */
export const OWNER_TYPE_LABELS = Object.freeze({
  privat: 'privat',
  gewerblich: 'gewerblich',
  oeffentlich: 'öffentlich',
  unbekannt: 'unbekannt',
});

/** Status of a need (Gesuch; part "needs" of issue 23). */
export const NEED_STATUS_LABELS = Object.freeze({
  unbestaetigt: 'Unbestätigt',
  offen: 'Offen',
  vermittelt: 'Vermittelt',
  geschlossen: 'Geschlossen',
});

/**
 * What a building is used for, as importers store it (`function` of a building): OpenStreetMap
 * `building=*` values, and the four-digit ALKIS Gebäudefunktion keys of Hausumringe (also as
 * "31001_1010", Gebäudeklasse and Funktion). buildingFunctionLabel covers the values not here.
 */
export const BUILDING_FUNCTION_LABELS = Object.freeze({
  yes: 'Gebäude',
  house: 'Wohnhaus',
  detached: 'Einfamilienhaus',
  semidetached_house: 'Doppelhaushälfte',
  terrace: 'Reihenhaus',
  residential: 'Wohngebäude',
  apartments: 'Mehrfamilienhaus',
  bungalow: 'Bungalow',
  cabin: 'Hütte',
  farm: 'Bauernhaus',
  farm_auxiliary: 'landwirtschaftliches Nebengebäude',
  barn: 'Scheune',
  stable: 'Stall',
  commercial: 'Gewerbegebäude',
  office: 'Bürogebäude',
  retail: 'Ladengeschäft',
  supermarket: 'Supermarkt',
  kiosk: 'Kiosk',
  industrial: 'Industriegebäude',
  warehouse: 'Lagerhalle',
  hotel: 'Hotel',
  garage: 'Garage',
  garages: 'Garagen',
  carport: 'Carport',
  parking: 'Parkhaus',
  shed: 'Schuppen',
  hut: 'Hütte',
  roof: 'Überdachung',
  greenhouse: 'Gewächshaus',
  school: 'Schule',
  kindergarten: 'Kindergarten',
  university: 'Hochschulgebäude',
  hospital: 'Krankenhaus',
  public: 'öffentliches Gebäude',
  civic: 'öffentliches Gebäude',
  government: 'Verwaltungsgebäude',
  townhall: 'Rathaus',
  fire_station: 'Feuerwehrhaus',
  church: 'Kirche',
  chapel: 'Kapelle',
  religious: 'religiöses Gebäude',
  train_station: 'Bahnhof',
  transportation: 'Verkehrsgebäude',
  service: 'Betriebsgebäude',
  transformer_tower: 'Trafoturm',
  sports_hall: 'Sporthalle',
  ruins: 'Ruine',
  construction: 'Gebäude im Bau',
  // ALKIS Gebäudefunktion (the common keys of Hausumringe)
  1000: 'Wohngebäude',
  1010: 'Wohnhaus',
  1020: 'Wohnheim',
  1100: 'gemischt genutztes Gebäude mit Wohnen',
  1120: 'Wohngebäude mit Handel und Dienstleistungen',
  1130: 'Wohngebäude mit Gewerbe und Industrie',
  1200: 'land- und forstwirtschaftliches Wohngebäude',
  2000: 'Gebäude für Wirtschaft oder Gewerbe',
  2010: 'Gebäude für Handel und Dienstleistungen',
  2020: 'Bürogebäude',
  2050: 'Geschäftsgebäude',
  2100: 'Gebäude für Gewerbe und Industrie',
  2463: 'Garage',
  2700: 'Gebäude für Land- und Forstwirtschaft',
  3000: 'Gebäude für öffentliche Zwecke',
  3010: 'Verwaltungsgebäude',
  3020: 'Gebäude für Bildung und Forschung',
  3021: 'Schule',
  3040: 'Gebäude für religiöse Zwecke',
  3041: 'Kirche',
  9998: 'Gebäude (Funktion nicht bekannt)',
});

/**
 * The German label of every property name the UI can show: of a vacancy, a building, a
 * Zukunftsort, a Kommune, an upload (its form and report), a profile and a membership
 * request, plus the query parameters a field error can name.
 */
export const FIELD_LABELS = Object.freeze({
  // vacancy
  status: 'Status',
  use: 'Nutzung',
  degree: 'Umfang',
  vacant_since: 'Leer seit',
  floor_area_m2: 'Leerstehende Fläche',
  owner_type: 'Eigentum',
  owner_contact: 'Kontakt',
  internal_notes: 'Notizen',
  consent_publish: 'Veröffentlichung',
  consent_date: 'Zustimmung am',
  public_description: 'Beschreibung',
  building_id: 'Gebäude',
  kommune_ags: 'Kommune',
  author: 'Erfasst von',
  created_at: 'Angelegt am',
  updated_at: 'Geändert am',
  version: 'Version',
  zukunftsort_id: 'Zukunftsort',
  geometry: 'Lage',
  // building
  source_ref: 'Quelle',
  function: 'Funktion',
  floors: 'Geschosse',
  name: 'Name',
  street: 'Straße',
  housenumber: 'Hausnummer',
  postcode: 'Postleitzahl',
  city: 'Ort',
  area_m2: 'Fläche',
  upload_id: 'Upload',
  id: 'Nummer',
  // Zukunftsort
  kind: 'Art',
  description: 'Beschreibung',
  website: 'Website',
  opened: 'Eröffnet',
  story: 'Geschichte',
  images: 'Bilder',
  vacancy_id: 'Leerstand',
  // Kommune and its profile
  ags: 'Gemeindeschlüssel',
  bez: 'Art der Kommune',
  parent_ags: 'Landkreis',
  text: 'Text',
  contact: 'Kontakt',
  image: 'Bild',
  member_since: 'Mitglied seit',
  founding_member: 'Gründungsmitglied',
  slug: 'Kurzname in der Adresse',
  url: 'Adresse der Seite',
  figures_exact: 'Genaue Zahlen',
  buildings: 'Gebäude',
  open_vacancies: 'Offene Leerstände',
  vacant_buildings: 'Leerstehende Gebäude',
  vacancy_rate: 'Leerstandsquote',
  reactivated: 'Reaktiviert',
  zukunftsorte: 'Zukunftsorte',
  zensus2022_leerstandsquote: 'Wohnungsleerstand (Zensus 2022)',
  zensus2022_wohnungen: 'Wohnungen (Zensus 2022)',
  // upload form and report
  file: 'Datei',
  file_name: 'Dateiname',
  kommune: 'Kommune',
  layer: 'Ebene',
  target: 'Ebene',
  mode: 'Art des Imports',
  srs: 'Koordinatensystem',
  encoding: 'Zeichenkodierung',
  format: 'Format',
  crs: 'Koordinatensystem',
  crs_name: 'Name des Koordinatensystems',
  crs_source: 'Koordinatensystem erkannt aus',
  encoding_source: 'Zeichenkodierung erkannt aus',
  source_layer: 'Ebene in der Datei',
  read: 'Gelesen',
  stored: 'Gespeichert',
  rejected: 'Abgelehnt',
  repaired: 'Repariert',
  rejected_by_reason: 'Abgelehnt nach Grund',
  stored_by_kommune: 'Gespeichert je Kommune',
  stored_in: 'Gespeichert in',
  outside: 'Außerhalb des Gebiets',
  in_no_kommune: 'In keiner Kommune',
  kommunen: 'Kommunen',
  scope: 'Gebiet',
  assignment: 'Zuordnung',
  seconds: 'Dauer (Sekunden)',
  errors: 'Fehler je Objekt',
  errors_listed: 'Aufgeführte Fehler',
  feature: 'Objekt',
  reason: 'Grund',
  count: 'Anzahl',
  first: 'Die ersten',
  without_zensus2022: 'Ohne Zahl des Zensus 2022',
  state: 'Stand',
  progress: 'Fortschritt',
  finished_at: 'Fertig am',
  report: 'Bericht',
  error: 'Fehler',
  // sign-in, membership requests
  password: 'Passwort',
  kommune_name: 'Name der Kommune',
  person: 'Name',
  role: 'Funktion',
  email: 'E-Mail',
  message: 'Nachricht',
  // the activation loop (issue 23): offers, inquiries, needs
  title: 'Titel',
  kinds: 'Art der Überlassung',
  conditions: 'Konditionen',
  available_from: 'Verfügbar ab',
  contact_role: 'Ansprechstelle',
  contact_email: 'E-Mail (Kontakt)',
  contact_phone: 'Telefon (Kontakt)',
  contact_name: 'Name (Kontakt)',
  closed_at: 'Abgeschlossen am',
  min_area: 'Fläche ab',
  max_area: 'Fläche bis',
  phone: 'Telefon',
  intended_use: 'Geplante Nutzung',
  common_good: 'Gemeinwohlorientiert',
  homepage: 'Homepage',
  personal_data_deleted_at: 'Personendaten gelöscht am',
  sent_at: 'Gesendet am',
  uses: 'Nutzungen',
  min_area_m2: 'Fläche ab',
  max_area_m2: 'Fläche bis',
  radius: 'Umkreis',
  needed_from: 'Gesucht ab',
  source: 'Eingang',
  confirmed_at: 'Bestätigt am',
  token: 'Bestätigungslink',
  // query parameters
  bbox: 'Kartenausschnitt',
  'bbox-crs': 'Koordinatensystem des Ausschnitts',
  limit: 'Anzahl',
  offset: 'Startposition',
  datetime: 'Zeitraum',
  since: 'Leer seit',
  properties: 'Eigenschaften',
  // part matches: suggestions and their outcomes
  angebot_id: 'Angebot',
  gesuch_id: 'Gesuch',
  score: 'Punkte',
  match: 'Bewertung',
  accepted_at: 'Zugesagt am',
  messages: 'Nachrichten',
  allowed: 'Nächste Schritte',
  suggestions: 'Vorschläge',
  kommune_names: 'Namen der Kommunen',
  vermittlung: 'Vermittlung',
  need: 'Gesuch',
  offer: 'Angebot',
  zukunftsort: 'Zukunftsort',
  sortby: 'Sortierung',
  address: 'Adresse',
  q: 'Suchbegriff',
  z: 'Zoomstufe',
  x: 'Kachelspalte',
  y: 'Kachelzeile',
});

/** Status of an offer (issue 23). */
export const OFFER_STATUS_LABELS = Object.freeze({
  offen: 'Offen',
  reserviert: 'Reserviert',
  vermittelt: 'Vermittelt',
  zurueckgezogen: 'Zurückgezogen',
});

/** Where an inquiry about an offer stands in the staff inbox (part "inquiries"). */
export const INQUIRY_STATUS_LABELS = Object.freeze({
  neu: 'Neu',
  in_kontakt: 'In Kontakt',
  abgeschlossen: 'Abgeschlossen',
});

/** All vocabularies, keyed by the API's property name. */
export const LABELS = Object.freeze({
  status: STATUS_LABELS,
  use: USE_LABELS,
  degree: DEGREE_LABELS,
  owner_type: OWNER_TYPE_LABELS,
  building_function: BUILDING_FUNCTION_LABELS,
  offer_kind: OFFER_KIND_LABELS,
  offer_status: OFFER_STATUS_LABELS,
  match_status: MATCH_STATUS_LABELS,
  inquiry_status: INQUIRY_STATUS_LABELS, // part "inquiries"
  need_status: NEED_STATUS_LABELS,
});

/**
 * The German label of identifier `id` of vocabulary `kind` ('status', 'use', 'degree',
 * 'owner_type', 'building_function'). Unknown identifiers come back unchanged, so a value added on the server
 * before the page knows it is still shown rather than hidden; null and undefined give ''.
 */
export function label(kind, id) {
  if (id === null || id === undefined) return '';
  if (kind === 'building_function') return buildingFunctionLabel(id);
  const labels = Object.hasOwn(LABELS, kind) ? LABELS[kind] : null;
  // hasOwn, not `in`: 'constructor' or '__proto__' must not resolve to Object's members.
  if (labels && Object.hasOwn(labels, id)) return labels[id];
  return String(id);
}

/**
 * The German word for a building's `function`. A value of no list is staff's own word or an
 * English one of OSM: it is named as the file's type, never shown as if it were German.
 */
function buildingFunctionLabel(value) {
  const text = String(value).trim();
  if (text === '') return '';
  const key = text.toLowerCase();
  if (Object.hasOwn(BUILDING_FUNCTION_LABELS, key)) return BUILDING_FUNCTION_LABELS[key];
  // Hausumringe write Gebäudeklasse and Funktion together: "31001_1010".
  const alkis = /^\d{5}_(\d{4})$/.exec(text);
  if (alkis && Object.hasOwn(BUILDING_FUNCTION_LABELS, alkis[1])) return BUILDING_FUNCTION_LABELS[alkis[1]];
  if (/^\d+(_\d+)?$/.test(text)) return `Gebäude (Funktionsschlüssel ${text})`;
  // A capitalised value is a German word an importer or staff wrote ("Wohn- und
  // Geschäftshaus"), not an OSM key (those are lower case): it reads as it is.
  if (/^[A-ZÄÖÜ]/.test(text)) return text;
  return `Gebäude (Typ: ${text})`;
}

/** The German label of property `name`; a name of no list reads "Angabe „name“". */
export function fieldLabel(name) {
  if (typeof name !== 'string' || name === '') return 'Angabe';
  return Object.hasOwn(FIELD_LABELS, name) ? FIELD_LABELS[name] : `Angabe „${name}“`;
}

// Fill colours of the vacancy markers; dark enough for white text and visible on the plain
// background and on OpenStreetMap tiles. The order of STATUS_LABELS is the legend's order.
const STATUS_COLORS = Object.freeze({
  gemeldet: '#b45309',
  bestaetigt: '#c81e1e',
  in_aktivierung: '#6d28d9',
  aktiviert: '#15803d',
  abgerissen: '#4b5563',
  kein_leerstand: '#1d4ed8',
});
const UNKNOWN_STATUS_COLOR = '#1f2933';

/** The fill colour of a vacancy marker of `status`. */
export function statusColor(status) {
  return Object.hasOwn(STATUS_COLORS, status) ? STATUS_COLORS[status] : UNKNOWN_STATUS_COLOR;
}
