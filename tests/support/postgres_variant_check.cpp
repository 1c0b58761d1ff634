// Linked into every binary with PostgreSQL variants (leerstand_add_postgres_variant): a
// variant run without a server must fail, not pass unnoticed on the wrong backend or count as
// skipped. Each test fails as it starts, saying what to do. (A failure in a global test
// environment would make gtest report every test as skipped, which ctest passes.)
#include <gtest/gtest.h>

#include <exception>

#include "tests/support/test_database.hpp"

namespace leerstand::test {
namespace {

class PostgresVariantCheck : public ::testing::EmptyTestEventListener {
  public:
    void OnTestStart(const ::testing::TestInfo&) override {
        try {
            if (test_backend() == Backend::postgres) test_postgres_conninfo();
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
    }
};

[[maybe_unused]] const bool k_postgres_variant_check = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new PostgresVariantCheck);
    return true;
}();

}  // namespace
}  // namespace leerstand::test
