#include "data/rtree_bulk_load.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/connection.hpp"

// The on-disk format written here is the one described at the top of SQLite's
// ext/rtree/rtree.c (stable since 2008): table %_node(nodeno INTEGER PRIMARY KEY, data) holds one
// blob per node, all of the root's size; node 1 is the root and its bytes 0-1 hold the tree depth
// (0: the root is a leaf), bytes 2-3 of every node the cell count, both big-endian; then the
// cells, each an 8-byte big-endian integer (a rowid in leaves, a child's node number above)
// followed by xmin, xmax, ymin, ymax as big-endian 32-bit floats. %_rowid(rowid INTEGER PRIMARY
// KEY, nodeno) maps every entry to its leaf, %_parent(nodeno INTEGER PRIMARY KEY, parentnode)
// every node but the root to its parent.

namespace leerstand::data {

namespace {

constexpr std::size_t k_dimensions = 2;
constexpr std::size_t k_cell_bytes = 8 + 2 * k_dimensions * 4;
constexpr std::size_t k_node_header_bytes = 4;

// ---------------------------------------------------------------------------------------------
// Values as the rtree module stores them

// The module keeps 32-bit floats and rounds each box outward so the stored box covers the given
// one: when float rounding moved a minimum up (or a maximum down), the double is scaled by
// 1 -/+ 2^-23 and rounded again. The same arithmetic as SQLite's insert, so a bulk-loaded leaf
// holds bit for bit what SQLite itself would have stored, and queries find the same rows.
constexpr double k_float_step = 1.0 / 8388608.0;  // 2^-23

float round_min(double value) {
    float rounded = static_cast<float>(value);
    if (rounded > value)
        rounded = static_cast<float>(value * (value < 0 ? 1.0 + k_float_step : 1.0 - k_float_step));
    return rounded;
}

float round_max(double value) {
    float rounded = static_cast<float>(value);
    if (rounded < value)
        rounded = static_cast<float>(value * (value < 0 ? 1.0 - k_float_step : 1.0 + k_float_step));
    return rounded;
}

struct Box {
    float xmin;
    float xmax;
    float ymin;
    float ymax;
};

Box merged(const Box& a, const Box& b) {
    return Box{std::min(a.xmin, b.xmin), std::max(a.xmax, b.xmax), std::min(a.ymin, b.ymin),
               std::max(a.ymax, b.ymax)};
}

// Twice the centre, in double so that sums of big floats cannot overflow.
double centre_x(const Box& box) {
    return static_cast<double>(box.xmin) + static_cast<double>(box.xmax);
}
double centre_y(const Box& box) {
    return static_cast<double>(box.ymin) + static_cast<double>(box.ymax);
}

struct Entry {
    std::int64_t id = 0;
    Box box{};
    std::uint32_t leaf = 0;  // node number of the leaf that holds the entry, set while writing
};

// A node of the packed tree; its children are items [first, first + count) of the level below
// (for leaves: of the entries).
struct Node {
    Box box{};
    std::uint32_t first = 0;
    std::uint32_t count = 0;
};

// ---------------------------------------------------------------------------------------------
// Reading the boxes

std::optional<Entry> entry_from(const Statement& row) {
    for (int column = 0; column < 5; ++column)
        if (row.column_is_null(column)) return std::nullopt;
    Entry entry;
    entry.id = row.column_int64(0);
    entry.box = Box{round_min(row.column_double(1)), round_max(row.column_double(2)),
                    round_min(row.column_double(3)), round_max(row.column_double(4))};
    const Box& box = entry.box;
    // Non-finite values would break the ordering the packing sorts by; min > max is a box
    // SQLite's insert refuses. Both are left to SQLite, which reports or stores them its way.
    if (!std::isfinite(box.xmin) || !std::isfinite(box.xmax) || !std::isfinite(box.ymin) ||
        !std::isfinite(box.ymax) || box.xmin > box.xmax || box.ymin > box.ymax)
        return std::nullopt;
    return entry;
}

std::optional<std::vector<Entry>> read_entries(Statement& source, std::int64_t expected) {
    std::vector<Entry> entries;
    // The hint spares the doubling of a growing vector, which would briefly need 3x the memory.
    entries.reserve(static_cast<std::size_t>(
        std::clamp<std::int64_t>(expected, 0, k_rtree_bulk_load_max_entries)));
    bool usable = true;
    while (usable && source.step()) {
        const std::optional<Entry> entry = entry_from(source);
        usable = entry.has_value() &&
                 static_cast<std::int64_t>(entries.size()) < k_rtree_bulk_load_max_entries;
        if (usable) entries.push_back(*entry);
    }
    source.reset();
    if (!usable) return std::nullopt;
    const auto by_id = [](const Entry& a, const Entry& b) { return a.id < b.id; };
    if (!std::is_sorted(entries.begin(), entries.end(), by_id))
        std::sort(entries.begin(), entries.end(), by_id);
    const auto same_id = [](const Entry& a, const Entry& b) { return a.id == b.id; };
    if (std::adjacent_find(entries.begin(), entries.end(), same_id) != entries.end())
        return std::nullopt;
    return entries;
}

// ---------------------------------------------------------------------------------------------
// Packing

// Sort-Tile-Recursive packing (Leutenegger, Lopez and Edgington, 1997): sort the items by the x
// of their centres, cut them into vertical slices of whole nodes, sort each slice by y; then
// every run of `capacity` items is one node. Nodes come out full, square-ish and barely
// overlapping. Returns the item count of each node, in order.
template <typename Item>
std::vector<std::uint32_t> pack_level(std::vector<Item>& items, std::size_t capacity) {
    const std::size_t count = items.size();
    const std::size_t node_count = (count + capacity - 1) / capacity;
    const auto slices =
        static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(node_count))));
    const std::size_t slice_items = (node_count + slices - 1) / slices * capacity;
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return centre_x(a.box) < centre_x(b.box); });
    for (std::size_t start = 0; start < count; start += slice_items) {
        const std::size_t end = std::min(count, start + slice_items);
        std::sort(items.begin() + static_cast<std::ptrdiff_t>(start),
                  items.begin() + static_cast<std::ptrdiff_t>(end),
                  [](const Item& a, const Item& b) { return centre_y(a.box) < centre_y(b.box); });
    }
    std::vector<std::uint32_t> sizes(node_count, static_cast<std::uint32_t>(capacity));
    sizes.back() = static_cast<std::uint32_t>(count - (node_count - 1) * capacity);
    // SQLite dissolves a non-root node below a third of its capacity at the next delete in it
    // (RTREE_MINCELLS). A short last node is therefore evened out with the one before it.
    const std::size_t min_fill = capacity / 3;
    if (node_count >= 2 && sizes.back() < min_fill) {
        const std::uint32_t pair = sizes[node_count - 2] + sizes.back();
        sizes[node_count - 2] = pair - pair / 2;
        sizes.back() = pair / 2;
    }
    return sizes;
}

template <typename Item>
std::vector<Node> group(const std::vector<Item>& items, const std::vector<std::uint32_t>& sizes) {
    std::vector<Node> nodes;
    nodes.reserve(sizes.size());
    std::uint32_t first = 0;
    for (const std::uint32_t size : sizes) {
        Node node{items[first].box, first, size};
        for (std::uint32_t i = first + 1; i < first + size; ++i)
            node.box = merged(node.box, items[i].box);
        nodes.push_back(node);
        first += size;
    }
    return nodes;
}

// levels[0] are the leaves; the nodes of the last level are the children of the root. No levels:
// everything fits into the root, which is then a leaf.
std::vector<std::vector<Node>> pack_tree(std::vector<Entry>& entries, std::size_t capacity) {
    std::vector<std::vector<Node>> levels;
    if (entries.size() <= capacity) return levels;
    levels.push_back(group(entries, pack_level(entries, capacity)));
    while (levels.back().size() > capacity) {
        std::vector<Node>& below = levels.back();
        const std::vector<std::uint32_t> sizes = pack_level(below, capacity);
        std::vector<Node> level = group(below, sizes);  // before push_back moves `below`
        levels.push_back(std::move(level));
    }
    return levels;
}

// ---------------------------------------------------------------------------------------------
// Writing

class NodeImage {
  public:
    explicit NodeImage(std::size_t size) : m_bytes(size) {}

    std::size_t capacity() const { return (m_bytes.size() - k_node_header_bytes) / k_cell_bytes; }

    // `depth` is written for the root only; other nodes leave those two bytes zero.
    void start(std::size_t depth) {
        std::fill(m_bytes.begin(), m_bytes.end(), 0);
        put(0, static_cast<std::uint16_t>(depth));
        m_count = 0;
    }

    void add(std::int64_t id, const Box& box) {
        if (m_count >= capacity()) throw InternalError("R*Tree bulk load overfilled a node");
        const std::size_t at = k_node_header_bytes + m_count * k_cell_bytes;
        put(at, static_cast<std::uint64_t>(id));
        put(at + 8, std::bit_cast<std::uint32_t>(box.xmin));
        put(at + 12, std::bit_cast<std::uint32_t>(box.xmax));
        put(at + 16, std::bit_cast<std::uint32_t>(box.ymin));
        put(at + 20, std::bit_cast<std::uint32_t>(box.ymax));
        ++m_count;
        put(2, static_cast<std::uint16_t>(m_count));
    }

    std::span<const unsigned char> bytes() const { return m_bytes; }

  private:
    // Big-endian, whatever the machine.
    template <typename Unsigned>
    void put(std::size_t at, Unsigned value) {
        for (std::size_t i = sizeof(Unsigned); i-- > 0;) {
            m_bytes[at + i] = static_cast<unsigned char>(value & 0xffU);
            value = static_cast<Unsigned>(value >> 8);
        }
    }

    std::vector<unsigned char> m_bytes;
    std::size_t m_count = 0;
};

std::string quoted(const std::string& name) {
    std::string result = "\"";
    for (char c : name) {
        if (c == '"') result += '"';
        result += c;
    }
    return result + "\"";
}

// Key/value rows for %_rowid or %_parent. Many rows per INSERT: with a million entries, the
// per-statement overhead of single-row inserts took longer than the b-tree work itself.
class PairInserter {
  public:
    PairInserter(Connection& db, const std::string& table, const std::string& columns)
        : m_single(db.prepare(insert_sql(table, columns, 1))),
          m_batch(db.prepare(insert_sql(table, columns, k_batch_rows))) {
        m_pending.reserve(2 * k_batch_rows);
    }

    void add(std::int64_t key, std::int64_t value) {
        m_pending.push_back(key);
        m_pending.push_back(value);
        if (m_pending.size() == 2 * k_batch_rows) write(m_batch);
    }

    // Writes what is pending; must be called before the rows are needed.
    void flush() {
        for (std::size_t at = 0; at < m_pending.size(); at += 2) {
            m_single.bind(1, m_pending[at]).bind(2, m_pending[at + 1]).run();
            m_single.reset();
        }
        m_pending.clear();
    }

  private:
    static constexpr std::size_t k_batch_rows = 100;

    static std::string insert_sql(const std::string& table, const std::string& columns,
                                  std::size_t rows) {
        std::string sql = "INSERT INTO " + quoted(table) + " (" + columns + ") VALUES (?,?)";
        for (std::size_t i = 1; i < rows; ++i) sql += ",(?,?)";
        return sql;
    }

    void write(Statement& statement) {
        for (std::size_t at = 0; at < m_pending.size(); ++at)
            statement.bind(static_cast<int>(at + 1), m_pending[at]);
        statement.run();
        statement.reset();
        m_pending.clear();
    }

    Statement m_single;
    Statement m_batch;
    std::vector<std::int64_t> m_pending;  // key, value, key, value, ...
};

class ShadowWriter {
  public:
    ShadowWriter(Connection& db, const std::string& table)
        : m_node(db.prepare("INSERT OR REPLACE INTO " + quoted(table + "_node") +
                            " (nodeno, data) VALUES (?1, ?2)")),
          m_parent(db, table + "_parent", "nodeno, parentnode"),
          m_rowid(db, table + "_rowid", "rowid, nodeno") {}

    void node(std::int64_t number, std::span<const unsigned char> data) {
        m_node.bind(1, number).bind_blob(2, data).run();
        m_node.reset();
    }
    void parent(std::int64_t node, std::int64_t parent) { m_parent.add(node, parent); }
    void rowid(std::int64_t id, std::int64_t leaf) { m_rowid.add(id, leaf); }

    void flush() {
        m_parent.flush();
        m_rowid.flush();
    }

  private:
    Statement m_node;
    PairInserter m_parent;
    PairInserter m_rowid;
};

// Writes root, inner nodes and leaves with their parent and rowid maps. Node numbers: the root
// is 1, then level by level from the top, so each map is written in ascending key order (cheap
// appends to the b-trees) and siblings lie next to each other in %_node.
std::int64_t write_tree(ShadowWriter& out, NodeImage& image, std::vector<Entry>& entries,
                        const std::vector<std::vector<Node>>& levels) {
    const std::size_t depth = levels.size();
    std::vector<std::int64_t> base(depth);
    std::int64_t next = 2;
    for (std::size_t k = depth; k-- > 0;) {
        base[k] = next;
        next += static_cast<std::int64_t>(levels[k].size());
    }

    image.start(depth);
    if (depth == 0) {
        for (Entry& entry : entries) {
            image.add(entry.id, entry.box);
            entry.leaf = 1;
        }
    } else {
        const std::vector<Node>& top = levels[depth - 1];
        for (std::size_t i = 0; i < top.size(); ++i) {
            const std::int64_t child = base[depth - 1] + static_cast<std::int64_t>(i);
            image.add(child, top[i].box);
            out.parent(child, 1);
        }
    }
    out.node(1, image.bytes());

    for (std::size_t k = depth; k-- > 0;) {
        for (std::size_t i = 0; i < levels[k].size(); ++i) {
            const Node& node = levels[k][i];
            const std::int64_t number = base[k] + static_cast<std::int64_t>(i);
            image.start(0);
            for (std::uint32_t j = node.first; j < node.first + node.count; ++j) {
                if (k == 0) {
                    image.add(entries[j].id, entries[j].box);
                    entries[j].leaf = static_cast<std::uint32_t>(number);
                } else {
                    const std::int64_t child = base[k - 1] + j;
                    image.add(child, levels[k - 1][j].box);
                    out.parent(child, number);
                }
            }
            out.node(number, image.bytes());
        }
    }

    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.id < b.id; });
    for (const Entry& entry : entries) out.rowid(entry.id, entry.leaf);
    out.flush();
    return next - 1;
}

// ---------------------------------------------------------------------------------------------
// The table

// The CREATE statement of `table` when it is an rtree this loader can write, else nothing.
std::optional<std::string> loadable_table_sql(Connection& db, const std::string& table) {
    // Defensive mode makes shadow tables read-only for ordinary SQL.
    int defensive = 0;
    sqlite3_db_config(db.sqlite_handle(), SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
    if (defensive != 0) return std::nullopt;

    Statement create =
        db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1");
    create.bind(1, table);
    if (!create.step()) return std::nullopt;
    std::string sql = create.column_text(0);
    std::string lower = sql;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // `rtree(`, not `rtree_i32(`: integer coordinates are stored differently.
    if (lower.rfind("create virtual table", 0) != 0 ||
        lower.find("using rtree(") == std::string::npos)
        return std::nullopt;

    Statement columns = db.prepare("SELECT count(*) FROM pragma_table_info(?1)");
    columns.bind(1, table).step();
    const bool two_dimensions = columns.column_int64(0) == 1 + 2 * k_dimensions;
    columns.reset();
    // Auxiliary columns ("+name") live in %_rowid; none are expected.
    columns.bind(1, table + "_rowid").step();
    const bool no_aux = columns.column_int64(0) == 2;
    if (!two_dimensions || !no_aux) return std::nullopt;
    return sql;
}

// Why drop and create instead of emptying the shadow tables: SQLite then writes a fresh root of
// the node size it chooses for this database, and the new virtual table object holds no nodes of
// the old tree in memory (newer SQLite versions cache nodes across the statements of a write
// transaction). Dropping costs about what emptying the three tables would.
std::size_t recreate_empty(Connection& db, const std::string& table, const std::string& sql) {
    db.exec("DROP TABLE " + quoted(table));
    db.exec(sql);
    Statement root = db.prepare("SELECT length(data), count(*) FROM " + quoted(table + "_node"));
    root.step();
    const std::int64_t size = root.column_int64(0);
    if (root.column_int64(1) != 1 ||
        size < static_cast<std::int64_t>(k_node_header_bytes + 3 * k_cell_bytes))
        throw InternalError("new R*Tree " + table + " has no usable root node");
    return static_cast<std::size_t>(size);
}

#ifndef NDEBUG
// Debug builds check every bulk load with SQLite's own verifier (about 1 s per million entries).
void verify(Connection& db, const std::string& table) {
    Statement check = db.prepare("SELECT rtreecheck(?1)");
    check.bind(1, table).step();
    const std::string result = check.column_text(0);
    if (result != "ok")
        throw InternalError("bulk-loaded R*Tree " + table + " fails rtreecheck: " + result);
}
#endif

}  // namespace

std::optional<RtreeBulkLoadStats> bulk_load_rtree(Connection& db, const std::string& table,
                                                  Statement& source,
                                                  std::int64_t expected_entries) {
    if (!db.in_transaction())
        throw InternalError("bulk_load_rtree(" + table + ") needs an open transaction");
    const std::optional<std::string> sql = loadable_table_sql(db, table);
    if (!sql) {
        source.reset();
        return std::nullopt;
    }
    std::optional<std::vector<Entry>> entries = read_entries(source, expected_entries);
    if (!entries) return std::nullopt;

    // Nothing has been changed up to here; from now on the table is rebuilt.
    NodeImage image(recreate_empty(db, table, *sql));
    const std::vector<std::vector<Node>> levels = pack_tree(*entries, image.capacity());
    ShadowWriter out(db, table);
    RtreeBulkLoadStats stats;
    stats.entries = static_cast<std::int64_t>(entries->size());
    stats.depth = static_cast<int>(levels.size());
    stats.nodes = write_tree(out, image, *entries, levels);
#ifndef NDEBUG
    verify(db, table);
#endif
    return stats;
}

}  // namespace leerstand::data
