#pragma once

#include "server/services/import_report.hpp"
#include "server/services/import_service.hpp"

namespace leerstand::services {

/// Bulk import of vacancy reports (Leerstandsmeldungen) from CSV (lon/lat or WKT), GeoJSON,
/// Shapefile or GeoPackage with Point geometries, reusing the building import's reader. Each
/// feature's attributes use the API property names (status, use, degree, vacant_since,
/// floor_area_m2, owner_type, owner_contact, internal_notes, consent_publish,
/// public_description); each vacancy is matched to a building like one made over HTTP and gets
/// a history entry by `options.user`. Invalid features are rejected with a reason; the rest
/// are stored in one transaction, or nothing when none is valid.
ImportReport import_vacancies(data::Store& store, const ImportOptions& options,
                              const ProgressCallback& progress = {});

}  // namespace leerstand::services
