#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace leerstand::data {
class Store;
}

/// The figures of the activation loop in a summary (issue 23, part "figures"): offers, inquiries,
/// needs, matches and activations of an area, and their monthly trend. docs/privacy.md
/// ("Figures of the activation loop") says what the public sees and why; public_figures.hpp
/// holds the rules.
///
/// The "activation" object: offers_open (offers the public sees now), offers_published (every
/// offer created), inquiries (received), needs_open (open needs whose place covers the area: a
/// named Kommune or Kreis of the area or containing it, or a radius reaching the centre of one
/// of the area's Kommunen), matches (accepted or finished), activations (finished), and for the
/// public `withheld`. Each trend month gains offers (published), inquiries (received), needs
/// (confirmed), matches (accepted) and activations (finished) in that month.
namespace leerstand::services {

/// The "activation" object and the entries each trend month gains, oldest month first.
struct ActivationSummary {
    nlohmann::json counts;
    std::vector<nlohmann::json> months;
};

/// Exact figures of `area` (an AGS prefix, "" the network). `boundaries`: the first instant of
/// the first trend month, then the end of each month (the first instant of the next); events
/// at or after the last are not counted. Offers and needs open are those of now.
ActivationSummary exact_activation(data::Store& store, const std::string& area,
                                   const std::vector<std::string>& boundaries);

/// Public figures of `area`: the events before the last boundary (the snapshot instant "as_of")
/// under the rules of public_figures.hpp; offers and needs open now exactly, as anyone can list
/// them.
ActivationSummary public_activation(data::Store& store, const std::string& area,
                                    const std::vector<std::string>& boundaries);

}  // namespace leerstand::services
