#include "server/services/demo_service.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "data/store.hpp"
#include "geo/footprint.hpp"

// Same seed, same bytes on every platform: clang fuses a*b+c into FMA by default, which changes
// the last bits between CPUs. GCC does not fuse in ISO mode (-std=c++20 means -ffp-contract=off).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace leerstand::services {
namespace {

// ------------------------------------------------------------------ deterministic arithmetic

constexpr double pi = 3.14159265358979323846;

/// splitmix64: tiny and fully specified, unlike std::*_distribution.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next() {
        m_state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1): the top 53 bits, scaled exactly.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform in [lo, hi] (the modulo bias is irrelevant here).
    int integer(int lo, int hi) {
        const auto span = static_cast<std::uint64_t>(hi - lo + 1);
        return lo + static_cast<int>(next() % span);
    }
    bool chance(double p) { return uniform() < p; }

  private:
    std::uint64_t m_state;
};

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

/// An independent stream per Kommune and purpose, so changing one part leaves the others alone.
Rng make_stream(std::uint64_t seed, std::string_view ags, std::string_view purpose) {
    Rng mixer(seed ^ fnv1a(ags) ^ (fnv1a(purpose) << 1));
    return Rng(mixer.next());
}

/// sin from a fixed Taylor polynomial: std::sin may differ in the last bit between C libraries.
/// Error below 1e-12, far below the 1 cm the output is rounded to.
double det_sin(double x) {
    x -= 2.0 * pi * std::floor((x + pi) / (2.0 * pi));  // [-pi, pi)
    if (x > pi / 2) {
        x = pi - x;
    } else if (x < -pi / 2) {
        x = -pi - x;
    }
    const double x2 = x * x;
    double term = x;
    double sum = x;
    for (int n = 1; n <= 9; ++n) {
        term *= -x2 / static_cast<double>((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}

double det_cos(double x) {
    return det_sin(x + pi / 2);
}

double radians(double degrees) {
    return degrees * pi / 180.0;
}

// -------------------------------------------------------------------------- plane geometry

struct Vec2 {
    double x = 0.0;
    double y = 0.0;
};

Vec2 operator+(Vec2 a, Vec2 b) {
    return {a.x + b.x, a.y + b.y};
}
Vec2 operator-(Vec2 a, Vec2 b) {
    return {a.x - b.x, a.y - b.y};
}
Vec2 operator*(Vec2 a, double k) {
    return {a.x * k, a.y * k};
}
double dot(Vec2 a, Vec2 b) {
    return a.x * b.x + a.y * b.y;
}
double cross(Vec2 a, Vec2 b) {
    return a.x * b.y - a.y * b.x;
}
double length(Vec2 a) {
    return std::sqrt(dot(a, a));
}

/// A closed ring without the repeated first vertex, counter-clockwise, in metres.
using Ring = std::vector<Vec2>;

double signed_area(const Ring& ring) {
    double twice = 0.0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        twice += cross(ring[i], ring[(i + 1) % ring.size()]);
    }
    return twice / 2.0;
}

bool inside(const Ring& ring, Vec2 p) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Vec2 a = ring[i];
        const Vec2 b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) {
            in = !in;
        }
    }
    return in;
}

double distance_to_segment(Vec2 p, Vec2 a, Vec2 b) {
    const Vec2 ab = b - a;
    const double t = std::clamp(dot(p - a, ab) / dot(ab, ab), 0.0, 1.0);
    return length(p - (a + ab * t));
}

double distance_to_boundary(const Ring& ring, Vec2 p) {
    double best = INFINITY;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        best = std::min(best, distance_to_segment(p, ring[i], ring[(i + 1) % ring.size()]));
    }
    return best;
}

/// True when the disc (centre, radius) lies inside the ring.
bool holds_disc(const Ring& ring, Vec2 centre, double radius) {
    return inside(ring, centre) && distance_to_boundary(ring, centre) >= radius;
}

/// Local equirectangular frame around (lon0, lat0): an affine map, so straight edges in metres
/// stay straight in lon/lat and containment tests carry over exactly.
class Frame {
  public:
    Frame(double lon0, double lat0) : m_lon0(lon0), m_lat0(lat0) {
        // Metres per degree on the GRS80 ellipsoid (the usual cosine series).
        const double phi = radians(lat0);
        m_per_lat = 111132.954 - 559.822 * det_cos(2 * phi) + 1.175 * det_cos(4 * phi);
        m_per_lon = 111412.84 * det_cos(phi) - 93.5 * det_cos(3 * phi);
    }
    Vec2 to_xy(double lon, double lat) const {
        return {(lon - m_lon0) * m_per_lon, (lat - m_lat0) * m_per_lat};
    }
    Vec2 to_lonlat(Vec2 p) const { return {m_lon0 + p.x / m_per_lon, m_lat0 + p.y / m_per_lat}; }

  private:
    double m_lon0, m_lat0, m_per_lon = 0.0, m_per_lat = 0.0;
};

// ------------------------------------------------------------------------------ the places

/// A real Kommune. Centre (centroid), bounding-box size and area are rounded values measured
/// with ogrinfo/SpatiaLite on BKG VG5000 2021 (shared data
/// kommunen/founding_kommunen_and_neighbours_vg5000.geojson; the Landkreis from
/// vg5000_2021/VG5000_KRS), © GeoBasis-DE / BKG 2021. The town centre is the place's published
/// coordinate at arc-minute precision; the generator pulls it inwards if it is too near the
/// demo boundary.
struct PlaceSpec {
    const char* ags;
    const char* name;
    const char* bez;
    double centre_lon, centre_lat;
    double width_km, height_km;
    double area_km2;
    double town_lon, town_lat;
    const char* postcode;
    int default_buildings;
};

constexpr std::array<PlaceSpec, 3> founding_gemeinden = {{
    {"12073008", "Angermünde", "Stadt", 13.9698, 53.0428, 23.8, 25.3, 325.0, 14.0000, 53.0167,
     "16278", 1500},
    {"12062224", "Herzberg (Elster)", "Stadt", 13.1938, 51.6726, 19.7, 17.8, 149.0, 13.2333,
     51.6833, "04916", 900},
    {"14521410", "Neukirchen/Erzgeb.", "Gemeinde", 12.8647, 50.7700, 6.3, 7.3, 19.4, 12.8667,
     50.7833, "09221", 600},
}};

constexpr PlaceSpec landkreis_wunsiedel = {"09479",     "Wunsiedel i. Fichtelgebirge",
                                           "Landkreis", 12.0418,
                                           50.0901,     34.7,
                                           28.7,        607.3,
                                           12.0418,     50.0901,
                                           "",          0};

/// Three member towns of the Landkreis, so nesting (Gemeinde inside Landkreis) is exercised.
constexpr std::array<PlaceSpec, 3> landkreis_towns = {{
    {"09479136", "Marktredwitz", "Stadt", 12.1011, 50.0103, 10.3, 7.4, 48.7, 12.0833, 50.0000,
     "95615", 500},
    {"09479152", "Selb", "Stadt", 12.1329, 50.1651, 13.9, 11.5, 85.7, 12.1333, 50.1667, "95100",
     500},
    {"09479169", "Wunsiedel", "Stadt", 12.0158, 50.0456, 11.7, 10.1, 55.7, 12.0000, 50.0333,
     "95632", 500},
}};

/// Semi-axes (metres) of the ellipse with the real area and the bounding box's aspect ratio.
std::pair<double, double> semi_axes(const PlaceSpec& place) {
    const double aspect = place.height_km / place.width_km;
    const double rx = std::sqrt(place.area_km2 * 1e6 / (pi * aspect));
    return {rx, rx * aspect};
}

// ------------------------------------------------------------------------------ boundaries

/// Smooth radius noise: harmonics 2..5 with random amplitude and phase (at most ±25 %).
class Wobble {
  public:
    explicit Wobble(Rng& rng) {
        for (std::size_t k = 0; k < m_amp.size(); ++k) {
            m_amp[k] = rng.uniform(0.0, 0.12 / static_cast<double>(k + 1));
            m_phase[k] = rng.uniform(0.0, 2 * pi);
        }
    }
    double at(double theta) const {
        double factor = 1.0;
        for (std::size_t k = 0; k < m_amp.size(); ++k) {
            factor += m_amp[k] * det_cos(static_cast<double>(k + 2) * theta + m_phase[k]);
        }
        return factor;
    }

  private:
    std::array<double, 4> m_amp{};
    std::array<double, 4> m_phase{};
};

double ellipse_radius(double rx, double ry, double theta) {
    const double c = det_cos(theta);
    const double s = det_sin(theta);
    return rx * ry / std::sqrt(ry * ry * c * c + rx * rx * s * s);
}

Vec2 direction(int k, int vertices) {
    const double theta = 2 * pi * k / vertices;
    return {det_cos(theta), det_sin(theta)};
}

/// Keeps the points p with dot(p - centre, normal) <= offset.
struct HalfPlane {
    Vec2 normal;
    double offset = 0.0;
};

/// Radii of a star-shaped ring at `vertices` equal angles: a wobbly ellipse.
std::vector<double> wobbly_radii(double rx, double ry, int vertices, Rng& rng) {
    const Wobble wobble(rng);
    std::vector<double> radii;
    for (int k = 0; k < vertices; ++k) {
        const double theta = 2 * pi * k / vertices;
        radii.push_back(ellipse_radius(rx, ry, theta) * wobble.at(theta) * rng.uniform(0.97, 1.03));
    }
    return radii;
}

/// A star-shaped ring (so always simple) around `centre`, cut back to the half-planes. Since
/// every vertex satisfies each half-plane and half-planes are convex, so does the whole ring.
Ring star_ring(Vec2 centre, double rx, double ry, int vertices, Rng& rng,
               const std::vector<HalfPlane>& clips) {
    const std::vector<double> radii = wobbly_radii(rx, ry, vertices, rng);
    Ring ring;
    for (int k = 0; k < vertices; ++k) {
        const Vec2 dir = direction(k, vertices);
        double r = radii[static_cast<std::size_t>(k)];
        for (const HalfPlane& clip : clips) {
            const double along = dot(dir, clip.normal);
            if (along > 0) r = std::min(r, clip.offset / along);
        }
        ring.push_back(centre + dir * r);
    }
    return ring;
}

/// A wobbly ring around `centre` pushed out wherever needed to contain the `inner` rings with
/// `margin` to spare. A point at distance d inside the sector between vertices k and k+1 lies
/// in the triangle (centre, V_k, V_k+1) once both radii reach d / cos(half sector angle); the
/// inner boundaries are sampled every 100 m and each sample widens four neighbouring vertices,
/// so the stretches between samples are covered too.
Ring covering_ring(Vec2 centre, double rx, double ry, int vertices, Rng& rng,
                   const std::vector<Ring>& inner, double margin) {
    std::vector<double> radii = wobbly_radii(rx, ry, vertices, rng);
    std::vector<Vec2> dirs;
    for (int k = 0; k < vertices; ++k) dirs.push_back(direction(k, vertices));
    const double cos_half = det_cos(pi / vertices);
    const auto n = static_cast<std::size_t>(vertices);

    const auto widen = [&](Vec2 q) {
        const double d = length(q);
        for (std::size_t k = 0; k < n; ++k) {
            if (cross(dirs[k], q) < 0 || cross(q, dirs[(k + 1) % n]) <= 0) continue;
            const double need = d / cos_half + margin;
            for (std::size_t j = n - 1; j <= n + 2; ++j) {
                double& r = radii[(k + j) % n];
                r = std::max(r, need);
            }
            return;
        }
    };
    for (const Ring& ring : inner) {
        for (std::size_t i = 0; i < ring.size(); ++i) {
            const Vec2 a = ring[i];
            const Vec2 b = ring[(i + 1) % ring.size()];
            const int steps = static_cast<int>(std::ceil(length(b - a) / 100.0));
            for (int s = 0; s < steps; ++s)
                widen(a + (b - a) * (static_cast<double>(s) / steps) - centre);
        }
    }
    Ring ring;
    for (std::size_t k = 0; k < n; ++k) ring.push_back(centre + dirs[k] * radii[k]);
    return ring;
}

// ------------------------------------------------------------------------ building types

struct BuildingType {
    const char* function;
    double len_min, len_max;      // along the street
    double depth_min, depth_max;  // away from the street
    int floors_min, floors_max;
    double l_shape_chance;
};

constexpr BuildingType stadthaus{"Wohnhaus", 10, 16, 9, 12, 2, 3, 0.25};
constexpr BuildingType einfamilienhaus{"Wohnhaus", 9, 13, 8, 11, 1, 2, 0.3};
constexpr BuildingType bauernhaus{"Wohnhaus", 10, 16, 8, 11, 1, 2, 0.2};
constexpr BuildingType wohn_geschaeft{"Wohn- und Geschäftshaus", 12, 20, 10, 14, 3, 4, 0.3};
constexpr BuildingType oeffentlich{"Öffentliches Gebäude", 16, 24, 12, 16, 2, 3, 0.4};
constexpr BuildingType gewerbe{"Gewerbe", 15, 25, 12, 22, 1, 2, 0.3};
constexpr BuildingType landwirtschaft{
    "Landwirtschaftliches Betriebsgebäude", 14, 24, 10, 14, 1, 1, 0.2};
constexpr BuildingType scheune{"Scheune", 12, 24, 8, 12, 1, 2, 0.15};
constexpr BuildingType stall{"Stall", 10, 20, 8, 10, 1, 1, 0.0};
constexpr BuildingType garage{"Garage", 8, 10, 5, 7, 1, 1, 0.0};
constexpr BuildingType schuppen{"Schuppen", 8, 10, 5, 6, 1, 1, 0.0};

struct Weighted {
    const BuildingType* type;
    double weight;
};

const BuildingType& pick(const std::vector<Weighted>& mix, Rng& rng) {
    double total = 0.0;
    for (const Weighted& w : mix) total += w.weight;
    double x = rng.uniform(0.0, total);
    for (const Weighted& w : mix) {
        if (x < w.weight) return *w.type;
        x -= w.weight;
    }
    return *mix.back().type;
}

// ---------------------------------------------------------------------------- settlements

enum class Kind { kern, siedlung, gewerbegebiet, dorf };

/// How a kind of settlement is laid out: plots of plot_w × plot_d along parallel streets
/// (road wide), a cross street after every `block` plots.
struct Style {
    const char* label;
    double plot_w, plot_d, road;
    int block;
    double jitter_deg;
    double front;  // distance of the main building zone from the street
    bool front_aligned;
    double secondary_chance;
    std::vector<Weighted> main_mix;
    std::vector<Weighted> secondary_mix;
};

const Style& style_of(Kind kind) {
    // Plot sizes and mixes are typical, not measured: town houses with a garage or shed behind,
    // estates of detached houses, a few large sheds, farmsteads with barns.
    static const Style kern{.label = "Ortskern",
                            .plot_w = 22,
                            .plot_d = 34,
                            .road = 10,
                            .block = 6,
                            .jitter_deg = 3,
                            .front = 1,
                            .front_aligned = true,
                            .secondary_chance = 0.3,
                            .main_mix = {{&stadthaus, 0.62},
                                         {&wohn_geschaeft, 0.25},
                                         {&gewerbe, 0.06},
                                         {&oeffentlich, 0.07}},
                            .secondary_mix = {{&garage, 0.6}, {&schuppen, 0.4}}};
    static const Style siedlung{.label = "Wohnsiedlung",
                                .plot_w = 22,
                                .plot_d = 32,
                                .road = 8,
                                .block = 8,
                                .jitter_deg = 0,
                                .front = 4,
                                .front_aligned = false,
                                .secondary_chance = 0.5,
                                .main_mix = {{&einfamilienhaus, 0.95}, {&wohn_geschaeft, 0.05}},
                                .secondary_mix = {{&garage, 0.8}, {&schuppen, 0.2}}};
    static const Style gewerbegebiet{.label = "Gewerbegebiet",
                                     .plot_w = 42,
                                     .plot_d = 52,
                                     .road = 14,
                                     .block = 4,
                                     .jitter_deg = 0,
                                     .front = 6,
                                     .front_aligned = false,
                                     .secondary_chance = 0.35,
                                     .main_mix = {{&gewerbe, 1.0}},
                                     .secondary_mix = {{&gewerbe, 1.0}}};
    static const Style dorf{.label = "Dorf",
                            .plot_w = 30,
                            .plot_d = 48,
                            .road = 8,
                            .block = 14,
                            .jitter_deg = 7,
                            .front = 3,
                            .front_aligned = false,
                            .secondary_chance = 0.65,
                            .main_mix = {{&bauernhaus, 0.8}, {&landwirtschaft, 0.2}},
                            .secondary_mix = {{&scheune, 0.6}, {&stall, 0.25}, {&garage, 0.15}}};
    switch (kind) {
        case Kind::kern:
            return kern;
        case Kind::siedlung:
            return siedlung;
        case Kind::gewerbegebiet:
            return gewerbegebiet;
        case Kind::dorf:
            return dorf;
    }
    return kern;
}

struct Settlement {
    Kind kind = Kind::kern;
    int target = 0;
    int rows = 0;  // 0: a street grid; 1 or 2: a village along one or two streets
    Vec2 centre;
    double radius = 0.0;
    double cos_a = 1.0, sin_a = 0.0;  // street direction
};

Settlement settlement(Kind kind, int target) {
    Settlement s;
    s.kind = kind;
    s.target = target;
    return s;
}

/// Splits n buildings into a town core, housing estates, an industrial estate and villages.
std::vector<Settlement> plan_settlements(int n, Rng& rng) {
    if (n <= 80) return {settlement(Kind::kern, n)};
    std::vector<Settlement> plan{settlement(Kind::kern, n * 45 / 100)};
    const int estates = n >= 400 ? 2 : 1;
    for (int i = 0; i < estates; ++i) plan.push_back(settlement(Kind::siedlung, n * 8 / 100));
    if (n >= 300) plan.push_back(settlement(Kind::gewerbegebiet, n * 5 / 100));
    int assigned = 0;
    for (const Settlement& s : plan) assigned += s.target;
    const int rest = n - assigned;
    const int villages = std::max(1, (rest + 45) / 90);
    std::vector<double> weights;
    double total = 0.0;
    for (int i = 0; i < villages; ++i) total += weights.emplace_back(rng.uniform(0.6, 1.4));
    int given = 0;
    for (int i = 0; i < villages; ++i) {
        const int size = static_cast<int>(rest * weights[static_cast<std::size_t>(i)] / total);
        plan.push_back(settlement(Kind::dorf, size));
        given += size;
    }
    plan.front().target += rest - given;  // rounding leftovers go to the core
    for (Settlement& s : plan) {
        if (s.kind == Kind::dorf) s.rows = s.target > 65 ? 2 : 1;
    }
    return plan;
}

double street_spacing(const Style& style) {
    return 2 * style.plot_d + style.road;
}
double plot_pitch(const Style& style) {
    return style.plot_w + style.road / style.block;
}

/// Radius of the disc the settlement is expected to fill.
double planned_radius(const Settlement& s) {
    const Style& style = style_of(s.kind);
    const double plots = s.target / (1.0 + style.secondary_chance);
    if (s.rows == 0) {
        const double area = plots * plot_pitch(style) * street_spacing(style) / 2;
        return std::sqrt(area / pi) + style.plot_d;
    }
    return plots / (2.0 * s.rows) * plot_pitch(style) / 2 + s.rows * street_spacing(style) / 2;
}

/// Places the settlements: the core at the town centre (pulled inwards until it fits), estates
/// next to it, villages anywhere inside the Kommune, all discs apart. A settlement that finds
/// no place hands its buildings to the core.
void place_settlements(std::vector<Settlement>& plan, const Ring& ring, Vec2 ring_centre, Vec2 town,
                       Rng& rng) {
    Vec2 low{INFINITY, INFINITY};
    Vec2 high{-INFINITY, -INFINITY};
    for (const Vec2& p : ring) {
        low = {std::min(low.x, p.x), std::min(low.y, p.y)};
        high = {std::max(high.x, p.x), std::max(high.y, p.y)};
    }
    std::vector<const Settlement*> placed;
    const auto apart = [&](Vec2 p, double r, double gap) {
        for (const Settlement* other : placed) {
            if (length(p - other->centre) < r + other->radius + gap) return false;
        }
        return true;
    };
    Settlement& kern = plan.front();
    for (Settlement& s : plan) {
        s.radius = planned_radius(s);
        const double angle = rng.uniform(0.0, pi);
        s.cos_a = det_cos(angle);
        s.sin_a = det_sin(angle);
        bool ok = false;
        if (s.kind == Kind::kern) {
            Vec2 p = town;
            for (int step = 0; step < 30 && !holds_disc(ring, p, s.radius + 100); ++step) {
                p = p + (ring_centre - p) * 0.2;
            }
            s.centre = p;
            ok = true;
        } else if (s.kind == Kind::dorf) {
            for (int attempt = 0; attempt < 300 && !ok; ++attempt) {
                const Vec2 p{rng.uniform(low.x, high.x), rng.uniform(low.y, high.y)};
                ok = holds_disc(ring, p, s.radius + 150) && apart(p, s.radius, 700);
                if (ok) s.centre = p;
            }
        } else {
            const double gap = s.kind == Kind::siedlung ? 30 : 150;
            for (int attempt = 0; attempt < 60 && !ok; ++attempt) {
                const double theta = rng.uniform(0.0, 2 * pi);
                const double dist = (kern.radius + s.radius + gap) * rng.uniform(1.0, 1.3);
                const Vec2 p = kern.centre + Vec2{det_cos(theta), det_sin(theta)} * dist;
                ok = holds_disc(ring, p, s.radius + 50) && apart(p, s.radius, 20);
                if (ok) s.centre = p;
            }
        }
        if (ok) {
            placed.push_back(&s);
        } else {
            kern.target += s.target;
            s.target = 0;
        }
    }
}

// ---------------------------------------------------------------------------------- plots

struct Plot {
    int settlement = 0;
    int row = 0;
    int side = 1;  // +1: the plot lies on the +v side of its street
    int index = 0;
    double u0 = 0.0;  // start along the street
    Vec2 centre;      // metres, Kommune frame
    double key = 0.0;
};

int floor_div(int a, int b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

Vec2 uv_to_xy(const Settlement& s, double u, double v) {
    return s.centre + Vec2{u * s.cos_a - v * s.sin_a, u * s.sin_a + v * s.cos_a};
}

/// Distance from the settlement's disc; the plots of two settlements are kept apart by
/// comparing these (an additively weighted Voronoi split with a margin, see admissible()).
double reach(const Settlement& s, Vec2 p) {
    return length(p - s.centre) - s.radius;
}

/// A plot belongs to settlement `own` only if its disc (centre, rho) is inside the Kommune and
/// every point of it is at least 2 m closer (by reach) to `own` than to any other settlement.
/// reach() is 1-Lipschitz, so plots of different settlements can never overlap.
bool admissible(const std::vector<Settlement>& plan, std::size_t own, Vec2 c, double rho,
                const Ring& ring) {
    if (!holds_disc(ring, c, rho + 15)) return false;
    const double mine = reach(plan[own], c);
    for (std::size_t t = 0; t < plan.size(); ++t) {
        if (t == own || plan[t].target == 0) continue;
        if (reach(plan[t], c) - rho - 2 < mine + rho) return false;
    }
    return true;
}

/// The plots of one settlement, nearest first with a ragged edge (noisy distance).
std::vector<Plot> candidate_plots(const std::vector<Settlement>& plan, std::size_t own,
                                  const Ring& ring, Rng& rng) {
    const Settlement& s = plan[own];
    const Style& style = style_of(s.kind);
    const double spacing = street_spacing(style);
    const double rho = std::sqrt(style.plot_w * style.plot_w + style.plot_d * style.plot_d) / 2;
    const double search = 2.5 * s.radius + spacing;
    const int max_row = s.rows == 0 ? static_cast<int>(search / spacing) + 1 : s.rows - 1;
    const int min_row = s.rows == 0 ? -max_row : 0;
    const int max_index = static_cast<int>(search / style.plot_w) + 1;
    std::vector<Plot> plots;
    for (int row = min_row; row <= max_row; ++row) {
        for (int side = -1; side <= 1; side += 2) {
            for (int index = -max_index; index <= max_index; ++index) {
                Plot plot;
                plot.settlement = static_cast<int>(own);
                plot.row = row;
                plot.side = side;
                plot.index = index;
                plot.u0 = index * style.plot_w + floor_div(index, style.block) * style.road;
                const double v = row * spacing + side * (style.road + style.plot_d) / 2;
                const double u = plot.u0 + style.plot_w / 2;
                plot.centre = uv_to_xy(s, u, v);
                const double noise = rng.uniform(0.75, 1.25);
                plot.key = s.rows == 0 ? length(Vec2{u, v}) * noise
                                       : std::abs(u) * noise + row * style.plot_w;
                if (length(Vec2{u, v}) > search) continue;
                if (!admissible(plan, own, plot.centre, rho, ring)) continue;
                plots.push_back(plot);
            }
        }
    }
    std::sort(plots.begin(), plots.end(), [](const Plot& a, const Plot& b) {
        if (a.key != b.key) return a.key < b.key;
        return std::tie(a.row, a.side, a.index) < std::tie(b.row, b.side, b.index);
    });
    return plots;
}

// ------------------------------------------------------------------------------- buildings

/// Where a building may stand inside its plot: along-street [a0, a0+width], depth [b0, b0+depth].
struct Zone {
    double a0, width, b0, depth;
};

/// A rectangle or an L (notch at the back), turned slightly, somewhere inside the zone.
std::vector<Vec2> outline_in_zone(const BuildingType& type, const Zone& zone, const Style& style,
                                  Rng& rng) {
    const double len = std::min(rng.uniform(type.len_min, type.len_max), zone.width);
    const double dep = std::min(rng.uniform(type.depth_min, type.depth_max), zone.depth);
    const double alpha = radians(rng.uniform(-style.jitter_deg, style.jitter_deg));
    double ca = det_cos(alpha);
    double sa = det_sin(alpha);
    double half_w = (len * std::abs(ca) + dep * std::abs(sa)) / 2;
    double half_d = (len * std::abs(sa) + dep * std::abs(ca)) / 2;
    if (2 * half_w > zone.width || 2 * half_d > zone.depth) {
        // No room to turn it: keep it square to the street.
        ca = 1.0;
        sa = 0.0;
        half_w = len / 2;
        half_d = dep / 2;
    }
    const double a = zone.a0 + half_w + (zone.width - 2 * half_w) * rng.uniform();
    const double slack = (zone.depth - 2 * half_d) * rng.uniform();
    const double b = zone.b0 + half_d + (style.front_aligned ? 0.15 * slack : slack);

    const double l = len / 2;
    const double d = dep / 2;
    std::vector<Vec2> local = {{-l, -d}, {l, -d}, {l, d}, {-l, d}};
    if (rng.chance(type.l_shape_chance)) {
        const double nw = len * rng.uniform(0.35, 0.55);
        const double nd = dep * rng.uniform(0.35, 0.5);
        if (rng.chance(0.5)) {
            local = {{-l, -d}, {l, -d}, {l, d - nd}, {l - nw, d - nd}, {l - nw, d}, {-l, d}};
        } else {
            local = {{-l, -d}, {l, -d}, {l, d}, {-l + nw, d}, {-l + nw, d - nd}, {-l, d - nd}};
        }
    }
    std::vector<Vec2> out;
    for (const Vec2& p : local) out.push_back({a + p.x * ca - p.y * sa, b + p.x * sa + p.y * ca});
    return out;
}

/// One generated building before it becomes a record.
struct Draft {
    const BuildingType* type = nullptr;
    int floors = 1;
    std::string name;
    std::size_t plot = 0;  // index into the used plots
    Ring outline;          // metres, Kommune frame, counter-clockwise
    const char* settlement = "";
};

Ring plot_to_xy(const Settlement& s, const Style& style, const Plot& plot,
                const std::vector<Vec2>& shape) {
    const double street_v = plot.row * street_spacing(style);
    Ring ring;
    for (const Vec2& p : shape) {
        const double v = street_v + plot.side * (style.road / 2 + p.y);
        ring.push_back(uv_to_xy(s, plot.u0 + p.x, v));
    }
    if (signed_area(ring) < 0) std::reverse(ring.begin(), ring.end());  // mirrored side
    return ring;
}

/// Street names; a Kommune draws its own shuffled order, the core's main row is Hauptstraße.
constexpr std::array<const char*, 88> street_names = {
    "Mühlenstraße",   "Schloßberg",     "Rosenstraße",      "Kirchstraße",    "Bahnhofstraße",
    "Schulstraße",    "Gartenstraße",   "Lindenstraße",     "Bergstraße",     "Am Anger",
    "Dorfstraße",     "Wiesenweg",      "Ringstraße",       "Töpferstraße",   "Brückenstraße",
    "Schäfergasse",   "Fröbelstraße",   "Goethestraße",     "Schillerstraße", "Am Mühlteich",
    "Birkenweg",      "Ahornweg",       "Eichenweg",        "Waldstraße",     "Grüner Weg",
    "Marktstraße",    "Am Markt",       "Brunnengasse",     "Kastanienallee", "Jägerstraße",
    "Schützenstraße", "Friedhofstraße", "Pfarrgasse",       "Lange Straße",   "Rathausstraße",
    "Klosterstraße",  "Gärtnerstraße",  "Höhenweg",         "Am Sportplatz",  "Feldstraße",
    "Parkstraße",     "Teichstraße",    "Sonnenweg",        "Blumenstraße",   "Tannenweg",
    "Fliederweg",     "Erlenweg",       "Weidenweg",        "Bäckerstraße",   "Fischerstraße",
    "Webergasse",     "Schmiedestraße", "Poststraße",       "Wallstraße",     "Hospitalstraße",
    "Kurze Straße",   "Neue Straße",    "Querstraße",       "Am Bahnhof",     "Heideweg",
    "Lessingstraße",  "Heinestraße",    "Pestalozzistraße", "Mozartstraße",   "Beethovenstraße",
    "Uhlandstraße",   "Am Weinberg",    "Steinweg",         "Ziegeleiweg",    "Fabrikstraße",
    "Am Schloßpark",  "Kirchplatz",     "Holunderweg",      "Vogelsang",      "Kiefernweg",
    "Buchenweg",      "Südstraße",      "Nordstraße",       "Oststraße",      "Weststraße",
    "Lärchenweg",     "Mühlgasse",      "Zur Schäferei",    "Am Gänseanger",  "Försterweg",
    "Kräutergarten",  "Rübenweg",       "Hauptstraße",
};

std::vector<std::string> shuffled_street_names(Rng& rng) {
    std::vector<std::string> names;
    for (const char* name : street_names) {
        if (std::string_view(name) != "Hauptstraße") names.emplace_back(name);
    }
    for (std::size_t i = names.size() - 1; i > 0; --i) {  // Fisher–Yates with our own numbers
        std::swap(names[i], names[static_cast<std::size_t>(rng.integer(0, static_cast<int>(i)))]);
    }
    return names;
}

/// Everything needed to fill one Gemeinde with buildings.
struct GemeindeLayout {
    const PlaceSpec* place = nullptr;
    const Frame* frame = nullptr;
    Ring ring;
    Vec2 ring_centre;
    int target = 0;
};

/// Fills the Gemeinde, settlement by settlement. A settlement that runs out of plots passes
/// its remainder on; returns the drafts and the plots they stand on.
class GemeindeBuilder {
  public:
    GemeindeBuilder(const GemeindeLayout& layout, std::uint64_t seed)
        : m_rng(make_stream(seed, layout.place->ags, "buildings")),
          m_plan(plan_settlements(layout.target, m_rng)) {
        const Vec2 town = layout.frame->to_xy(layout.place->town_lon, layout.place->town_lat);
        place_settlements(m_plan, layout.ring, layout.ring_centre, town, m_rng);
        for (std::size_t s = 0; s < m_plan.size(); ++s) {
            m_candidates.push_back(m_plan[s].target > 0
                                       ? candidate_plots(m_plan, s, layout.ring, m_rng)
                                       : std::vector<Plot>{});
            m_cursor.push_back(0);
        }
    }

    void build() {
        int missing = 0;
        for (std::size_t s = 0; s < m_plan.size(); ++s) {
            missing = fill(s, m_plan[s].target + missing);
        }
        for (std::size_t s = 0; s < m_plan.size() && missing > 0; ++s) missing = fill(s, missing);
    }

    std::vector<Draft>& drafts() { return m_drafts; }
    const std::vector<Plot>& used_plots() const { return m_used; }
    Rng& rng() { return m_rng; }

  private:
    /// Puts up to `count` buildings into settlement s; returns how many did not fit.
    int fill(std::size_t s, int count) {
        const Settlement& settlement = m_plan[s];
        const Style& style = style_of(settlement.kind);
        std::vector<Plot>& plots = m_candidates[s];
        while (count > 0 && m_cursor[s] < plots.size()) {
            const Plot& plot = plots[m_cursor[s]++];
            const bool first_of_core = settlement.kind == Kind::kern && !m_has_rathaus;
            m_used.push_back(plot);
            const double main_end = style.plot_d * 0.55;
            const double edge = style.front_aligned ? 1.0 : 2.0;
            const Zone main_zone{edge, style.plot_w - 2 * edge, style.front,
                                 main_end - style.front};
            const BuildingType& type = first_of_core ? oeffentlich : pick(style.main_mix, m_rng);
            add(style, settlement, plot, type, main_zone);
            if (first_of_core) {
                m_drafts.back().name = "Rathaus";
                m_drafts.back().floors = 3;
                m_has_rathaus = true;
            }
            --count;
            if (count > 0 && m_rng.chance(style.secondary_chance)) {
                const Zone back{2.0, style.plot_w - 4, main_end + 2, style.plot_d - main_end - 4};
                add(style, settlement, plot, pick(style.secondary_mix, m_rng), back);
                --count;
            }
        }
        return count;
    }

    void add(const Style& style, const Settlement& settlement, const Plot& plot,
             const BuildingType& type, const Zone& zone) {
        Draft draft;
        draft.type = &type;
        draft.floors = m_rng.integer(type.floors_min, type.floors_max);
        draft.plot = m_used.size() - 1;
        draft.outline =
            plot_to_xy(settlement, style, plot, outline_in_zone(type, zone, style, m_rng));
        draft.settlement = style.label;
        m_drafts.push_back(std::move(draft));
    }

    Rng m_rng;
    std::vector<Settlement> m_plan;
    std::vector<std::vector<Plot>> m_candidates;
    std::vector<std::size_t> m_cursor;
    std::vector<Plot> m_used;
    std::vector<Draft> m_drafts;
    bool m_has_rathaus = false;
};

struct Address {
    std::string street;
    std::string housenumber;
};

/// Street per (settlement, row), numbers odd on the +v side and even on the other, rising
/// along the street.
std::vector<Address> addresses(const std::vector<Plot>& used, Rng& rng) {
    std::vector<std::string> pool = shuffled_street_names(rng);
    std::size_t next_name = 0;
    std::map<std::pair<int, int>, std::string> street_of;  // ordered, so names are stable
    for (const Plot& plot : used) street_of.emplace(std::make_pair(plot.settlement, plot.row), "");
    for (auto& [key, name] : street_of) {
        if (key.first == 0 && key.second == 0) {
            name = "Hauptstraße";
        } else if (next_name < pool.size()) {
            name = pool[next_name++];
        } else {
            name = "Ausbau " + std::to_string(next_name++ - pool.size() + 1);
        }
    }
    std::vector<std::size_t> order(used.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const Plot& p = used[a];
        const Plot& q = used[b];
        return std::tie(p.settlement, p.row, p.side, p.index) <
               std::tie(q.settlement, q.row, q.side, q.index);
    });
    std::vector<Address> result(used.size());
    std::map<std::tuple<int, int, int>, int> counter;
    for (const std::size_t i : order) {
        const Plot& p = used[i];
        int& n = counter[{p.settlement, p.row, p.side}];
        const int number = p.side > 0 ? 2 * n + 1 : 2 * n + 2;
        ++n;
        result[i] = {street_of[{p.settlement, p.row}], std::to_string(number)};
    }
    return result;
}

// ------------------------------------------------------------------------------------ WKT

/// Fixed 7 decimals through integers, so the text does not depend on printf's rounding.
void append_fixed7(std::string& out, double value) {
    const long long q = std::llround(value * 1e7);
    const unsigned long long magnitude =
        q < 0 ? static_cast<unsigned long long>(-q) : static_cast<unsigned long long>(q);
    if (q < 0) out += '-';
    out += std::to_string(magnitude / 10000000ULL);
    std::string fraction = std::to_string(magnitude % 10000000ULL);
    out += '.';
    out.append(7 - fraction.size(), '0');
    out += fraction;
}

std::string multipolygon_wkt(const Ring& ring, const Frame& frame) {
    std::string wkt = "MULTIPOLYGON(((";
    for (std::size_t i = 0; i <= ring.size(); ++i) {
        const Vec2 ll = frame.to_lonlat(ring[i % ring.size()]);
        if (i > 0) wkt += ',';
        append_fixed7(wkt, ll.x);
        wkt += ' ';
        append_fixed7(wkt, ll.y);
    }
    wkt += ")))";
    return wkt;
}

// ------------------------------------------------------------------------------- assembly

DemoKommune make_kommune(const PlaceSpec& place, const Ring& ring, const Frame& frame) {
    DemoKommune kommune;
    kommune.wkt = multipolygon_wkt(ring, frame);
    const geo::Footprint footprint = geo::footprint_from_wkt(kommune.wkt);
    data::KommuneRecord& record = kommune.record;
    record.ags = place.ags;
    record.name = place.name;
    record.bez = place.bez;
    const std::string ags = place.ags;
    record.parent_ags = ags.size() == 8 ? ags.substr(0, 5) : std::string();
    record.boundary = footprint.wkb;
    record.area_m2 = footprint.area_m2;
    return kommune;
}

void add_buildings(DemoDataset& dataset, const GemeindeLayout& layout) {
    GemeindeBuilder builder(layout, dataset.seed);
    builder.build();
    const std::vector<Address> address = addresses(builder.used_plots(), builder.rng());
    for (const Draft& draft : builder.drafts()) {
        DemoBuilding building;
        building.wkt = multipolygon_wkt(draft.outline, *layout.frame);
        const geo::Footprint footprint = geo::footprint_from_wkt(building.wkt);
        data::BuildingRecord& r = building.record;
        r.kommune_ags = layout.place->ags;
        r.source_ref = "demo:" + std::to_string(dataset.buildings.size() + 1);
        r.function = draft.type->function;
        r.floors = draft.floors;
        r.name = draft.name;
        r.street = address[draft.plot].street;
        r.housenumber = address[draft.plot].housenumber;
        r.postcode = layout.place->postcode;
        r.city = layout.place->name;
        r.attributes_json = nlohmann::json{
            {"generator", "leerstand demo"},
            {"seed", dataset.seed},
            {"settlement",
             draft.settlement}}.dump();
        r.footprint = footprint.wkb;
        r.area_m2 = footprint.area_m2;
        building.anchor_lon = footprint.anchor_lon;
        building.anchor_lat = footprint.anchor_lat;
        dataset.buildings.push_back(std::move(building));
    }
}

int target_for(const PlaceSpec& place, const DemoOptions& options) {
    return options.buildings_per_kommune > 0 ? options.buildings_per_kommune
                                             : place.default_buildings;
}

void validate(const DemoOptions& options) {
    if (options.buildings_per_kommune < 0 ||
        options.buildings_per_kommune > max_demo_buildings_per_kommune) {
        throw InvalidInput("buildings per Kommune must be between 0 (the default mix) and " +
                           std::to_string(max_demo_buildings_per_kommune) + ", not " +
                           std::to_string(options.buildings_per_kommune));
    }
}

/// The three founding Gemeinden: each its own frame around its VG5000 centre.
void add_founding_gemeinden(DemoDataset& dataset, const DemoOptions& options) {
    for (const PlaceSpec& place : founding_gemeinden) {
        const Frame frame(place.centre_lon, place.centre_lat);
        Rng rng = make_stream(options.seed, place.ags, "boundary");
        const auto [rx, ry] = semi_axes(place);
        const Ring ring = star_ring({0, 0}, rx, ry, 40, rng, {});
        dataset.kommunen.push_back(make_kommune(place, ring, frame));
        add_buildings(dataset, {&place, &frame, ring, {0, 0}, target_for(place, options)});
    }
}

/// The Landkreis and its towns share one frame. The towns are cut back to the bisectors
/// between their centres (60 m apart) so they never overlap, and the Landkreis ring is widened
/// wherever needed to contain them.
void add_landkreis(DemoDataset& dataset, const DemoOptions& options) {
    const PlaceSpec& kreis = landkreis_wunsiedel;
    const Frame frame(kreis.centre_lon, kreis.centre_lat);
    std::vector<Vec2> centres;
    for (const PlaceSpec& town : landkreis_towns) {
        centres.push_back(frame.to_xy(town.centre_lon, town.centre_lat));
    }
    std::vector<Ring> rings;
    for (std::size_t i = 0; i < landkreis_towns.size(); ++i) {
        std::vector<HalfPlane> clips;
        for (std::size_t j = 0; j < centres.size(); ++j) {
            if (j == i) continue;
            const Vec2 d = centres[j] - centres[i];
            const double dist = length(d);
            clips.push_back({d * (1.0 / dist), dist / 2 - 30.0});
        }
        const PlaceSpec& town = landkreis_towns[i];
        Rng rng = make_stream(options.seed, town.ags, "boundary");
        const auto [rx, ry] = semi_axes(town);
        rings.push_back(star_ring(centres[i], rx, ry, 40, rng, clips));
    }
    Rng rng = make_stream(options.seed, kreis.ags, "boundary");
    const auto [rx, ry] = semi_axes(kreis);
    const Ring kreis_ring = covering_ring({0, 0}, rx, ry, 72, rng, rings, 400.0);
    dataset.kommunen.push_back(make_kommune(kreis, kreis_ring, frame));
    for (std::size_t i = 0; i < landkreis_towns.size(); ++i) {
        const PlaceSpec& town = landkreis_towns[i];
        dataset.kommunen.push_back(make_kommune(town, rings[i], frame));
        add_buildings(dataset, {&town, &frame, rings[i], centres[i], target_for(town, options)});
    }
}

data::UploadRecord demo_upload(const std::string& layer, const DemoOptions& options,
                               std::int64_t count, const nlohmann::json& report) {
    data::UploadRecord upload;
    upload.user = "demo";
    upload.file_name = "demo (seed " + std::to_string(options.seed) + ")";
    upload.format = "demo";
    upload.layer = layer;
    upload.mode = "append";
    upload.crs = "EPSG:4326";
    upload.encoding = "UTF-8";
    upload.features_read = count;
    upload.stored = count;
    upload.report_json = report.dump();
    upload.state = "done";
    return upload;
}

}  // namespace

DemoDataset make_demo_dataset(const DemoOptions& options) {
    validate(options);
    DemoDataset dataset;
    dataset.seed = options.seed;
    add_founding_gemeinden(dataset, options);
    add_landkreis(dataset, options);
    return dataset;
}

DemoReport generate_demo(data::Store& store, const DemoOptions& options) {
    validate(options);
    const data::StoreCounts counts = store.counts();
    if (counts.kommunen > 0 || counts.buildings > 0) {
        throw Conflict("the store already holds " + std::to_string(counts.kommunen) +
                       " Kommunen and " + std::to_string(counts.buildings) +
                       " buildings; load the demo only into a new, empty database");
    }
    // Generate everything before writing anything, so a failure leaves the store untouched.
    const DemoDataset dataset = make_demo_dataset(options);

    std::vector<data::KommuneRecord> kommunen;
    nlohmann::json per_kommune = nlohmann::json::object();
    for (const DemoKommune& k : dataset.kommunen) {
        kommunen.push_back(k.record);
        per_kommune[k.record.ags] = 0;
    }
    for (const DemoBuilding& b : dataset.buildings) {
        per_kommune[b.record.kommune_ags] = per_kommune[b.record.kommune_ags].get<int>() + 1;
    }
    const nlohmann::json report_json = {{"generator", "leerstand demo"},
                                        {"seed", options.seed},
                                        {"kommunen", dataset.kommunen.size()},
                                        {"buildings", dataset.buildings.size()},
                                        {"buildings_per_kommune", per_kommune}};
    const auto n_kommunen = static_cast<std::int64_t>(dataset.kommunen.size());
    const auto n_buildings = static_cast<std::int64_t>(dataset.buildings.size());

    DemoReport report;
    report.upload_id_kommunen =
        store.upsert_kommunen(kommunen, demo_upload("kommunen", options, n_kommunen, report_json));

    data::UploadRecord building_upload =
        demo_upload("buildings", options, n_buildings, report_json);
    data::UploadRecord running = building_upload;
    running.state = "running";
    running.stored = 0;
    auto import = store.begin_building_import(running, false, "");
    for (const DemoBuilding& b : dataset.buildings) import.add(b.record);

    report.kommunen = static_cast<int>(n_kommunen);
    report.buildings = n_buildings;
    report.upload_id_buildings = import.commit(building_upload);
    return report;
}

}  // namespace leerstand::services
