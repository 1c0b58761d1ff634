// The multipart/form-data parser on bodies written by hand after RFC 7578 and on what real
// clients send (curl's framing, a browser's file name quoting).
#include "server/http/multipart.hpp"

#include <gtest/gtest.h>

#include <list>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.hpp"

namespace leerstand::http {
namespace {

using namespace std::string_literals;

const std::string k_type = "multipart/form-data; boundary=XyZ";

/// One part: headers joined with CRLF, a blank line, the body. No leading CRLF.
std::string part(const std::string& headers, const std::string& body) {
    return "--XyZ\r\n" + headers + "\r\n\r\n" + body + "\r\n";
}

std::string field(const std::string& name, const std::string& value) {
    return part("Content-Disposition: form-data; name=\"" + name + "\"", value);
}

std::string file(const std::string& name, const std::string& filename, const std::string& body) {
    return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename +
                    "\"\r\nContent-Type: application/zip",
                body);
}

const std::string k_end = "--XyZ--\r\n";

/// Parses a body kept alive until the program ends (the parts point into it).
MultipartForm parse_kept(const std::string& content_type, std::string body) {
    static std::list<std::string> bodies;
    bodies.push_back(std::move(body));
    return MultipartForm::parse(content_type, bodies.back());
}

/// The message of the `ErrorType` parse throws; "" when it does not.
template <typename ErrorType>
std::string parse_error(const std::string& content_type, const std::string& body) {
    try {
        MultipartForm::parse(content_type, body);
    } catch (const ErrorType& e) {
        return e.what();
    }
    return {};
}

TEST(Multipart, ParsesTextFieldsAndAFile) {
    const std::string body = field("kommune", "09479158") + field("layer", "buildings") +
                             file("file", "gebaeude.zip", "PK\x03\x04zipdata"s) + k_end;
    const auto form = MultipartForm::parse(k_type, body);
    ASSERT_EQ(form.parts().size(), 3u);
    EXPECT_EQ(form.required_text("kommune"), "09479158");
    EXPECT_EQ(form.required_text("layer"), "buildings");
    const FormPart& upload = form.required_file("file");
    EXPECT_EQ(upload.filename, "gebaeude.zip");
    EXPECT_EQ(upload.content_type, "application/zip");
    EXPECT_EQ(upload.body, "PK\x03\x04zipdata"s);
    EXPECT_FALSE(form.find("kommune")->filename.has_value());
    EXPECT_EQ(form.find("kommune")->content_type, "text/plain");
    EXPECT_EQ(form.find("srs"), nullptr);
    // The body is not copied: the part points into it.
    EXPECT_GE(upload.body.data(), body.data());
    EXPECT_LE(upload.body.data() + upload.body.size(), body.data() + body.size());
}

TEST(Multipart, BinaryBodiesKeepEveryByte) {
    // CR, LF, CRLF, "--", the boundary after a lone CR or LF (only CRLF + boundary delimits),
    // a near-boundary, NULs, and a CR right before the real delimiter.
    const std::string payload =
        "\r\n--\r--XyZ\n\r\n--XyY\r\n-\0\xff\xfe\r\n\r\n\n--XyZ--"s + std::string(1, '\0') + "\r"s;
    const std::string body = file("file", "a.zip", payload) + field("layer", "buildings") + k_end;
    const auto form = MultipartForm::parse(k_type, body);
    EXPECT_EQ(form.required_file("file").body, payload);
    EXPECT_EQ(form.required_text("layer"), "buildings");

    std::string all_bytes;
    for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
    const auto binary =
        parse_kept(k_type, file("file", "bytes.zip", all_bytes + all_bytes) + k_end);
    EXPECT_EQ(binary.required_file("file").body, all_bytes + all_bytes);
}

TEST(Multipart, BoundaryMayBeQuotedAndUseEveryAllowedCharacter) {
    const std::string boundary = "'()+_,-./:=? 0aZ";
    const std::string body = "--" + boundary +
                             "\r\nContent-Disposition: form-data; name=a\r\n\r\n" + "1\r\n--" +
                             boundary + "--";
    const auto form =
        parse_kept("Multipart/Form-Data; charset=utf-8; boundary=\"" + boundary + "\"", body);
    EXPECT_EQ(form.required_text("a"), "1");
    // Unquoted tokens, spaces around ';', and no CRLF after the close delimiter.
    const auto unquoted =
        parse_kept("multipart/form-data ;boundary=XyZ", field("a", "1") + "--XyZ--");
    EXPECT_EQ(unquoted.required_text("a"), "1");
}

TEST(Multipart, CurlFramingWithPreambleEpilogueAndPaddingIsAccepted) {
    // What `curl -F` sends, plus the extras RFC 2046 allows around it.
    const std::string boundary = "------------------------d74496d66958873e";
    const std::string body =
        "this preamble is ignored\r\n"
        "--" +
        boundary +
        "  \t\r\n"
        "content-disposition: form-data; name=\"kommune\"\r\n\r\n"
        "09479158\r\n"
        "--" +
        boundary +
        "\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"lauf.gpkg\"\r\n"
        "Content-Type: application/octet-stream\r\n"
        "X-Something: ignored\r\n\r\n"
        "SQLite format 3\0..."s +
        "\r\n"
        "--" +
        boundary +
        "--\r\n"
        "and an epilogue that is ignored too\r\n";
    const auto form = MultipartForm::parse("multipart/form-data; boundary=" + boundary, body);
    EXPECT_EQ(form.parts().size(), 2u);
    EXPECT_EQ(form.required_text("kommune"), "09479158");
    EXPECT_EQ(form.required_file("file").filename, "lauf.gpkg");
    EXPECT_EQ(form.required_file("file").body, "SQLite format 3\0..."s);
}

TEST(Multipart, FileNamesAreUtf8WithoutFolders) {
    const auto form = parse_kept(
        k_type,
        file("a", "Gebäude Köln (2024).zip", "x") +
            file("b", "C:\\Users\\amt\\Desktop\\häuser.zip", "x") +
            part("Content-Disposition: form-data; name=\"c\"; filename=\"fallback.zip\"; "
                 "filename*=UTF-8''Stra%C3%9Fe%20%E2%82%AC.zip",
                 "x") +
            part("Content-Disposition: form-data; name=\"d\"; filename*=iso-8859-1'de'M%FCll.csv",
                 "x") +
            part("Content-Disposition: form-data; name=\"e\"; filename=\"say \\\"hi\\\".csv\"",
                 "x") +
            file("f", "../../etc/passwd", "x") + k_end);
    EXPECT_EQ(form.find("a")->filename, "Gebäude Köln (2024).zip");
    EXPECT_EQ(form.find("b")->filename, "häuser.zip");
    EXPECT_EQ(form.find("c")->filename, "Straße €.zip");  // filename* wins
    EXPECT_EQ(form.find("d")->filename, "Müll.csv");
    EXPECT_EQ(form.find("e")->filename, "say \"hi\".csv");
    EXPECT_EQ(form.find("f")->filename, "passwd");
}

TEST(Multipart, WrongMediaTypeIsUnsupported) {
    EXPECT_NE(parse_error<Unsupported>("application/json", "{}"), "");
    EXPECT_NE(parse_error<Unsupported>("multipart/mixed; boundary=XyZ", k_end), "");
    EXPECT_NE(parse_error<Unsupported>("", k_end), "");
}

TEST(Multipart, MissingOrBadBoundaryIsInvalidInput) {
    const std::string body = field("a", "1") + k_end;
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data", body).find("no boundary"),
              std::string::npos);
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=", body), "");
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=\"\"", body), "");
    EXPECT_NE(
        parse_error<InvalidInput>("multipart/form-data; boundary=" + std::string(71, 'a'), body),
        "");
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=\"a;b\"", body), "");
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=\"ends \"", body), "");
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=XyZ; boundary=XyZ", body),
              "");
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=\"XyZ", body), "");
    // A body that never uses the announced boundary.
    EXPECT_NE(parse_error<InvalidInput>("multipart/form-data; boundary=Other", body)
                  .find("never appears"),
              std::string::npos);
}

TEST(Multipart, MissingFinalBoundaryIsInvalidInput) {
    const std::string whole = field("a", "1") + file("file", "a.zip", "PK\x03\x04...") + k_end;
    const std::string message =
        parse_error<InvalidInput>(k_type, whole.substr(0, whole.size() - k_end.size()));
    EXPECT_NE(message.find("without its closing boundary"), std::string::npos) << message;
    // Cut anywhere inside: never accepted, never a crash.
    for (std::size_t cut = 0; cut + k_end.size() - 2 < whole.size(); ++cut)
        EXPECT_THROW(parse_kept(k_type, whole.substr(0, cut)), InvalidInput) << cut;
    EXPECT_THROW(parse_kept(k_type, ""), InvalidInput);
}

TEST(Multipart, MalformedPartHeadersAreInvalidInput) {
    const auto bad = [](const std::string& headers) {
        return parse_error<InvalidInput>(k_type, part(headers, "x") + k_end);
    };
    EXPECT_NE(bad("Content-Type: text/plain").find("no Content-Disposition"), std::string::npos);
    EXPECT_NE(bad("Content-Disposition: attachment; name=\"a\""), "");
    EXPECT_NE(bad("Content-Disposition: form-data"), "");
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"\""), "");
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a"), "");
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a\"; name=\"b\""), "");
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; "
                  "name=\"b\""),
              "");
    EXPECT_NE(bad("Content-Disposition form-data; name=\"a\""), "");
    EXPECT_NE(bad("Content-Disposition: form-data;\r\n name=\"a\""), "");    // folded
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a\"\nX: y"), "");  // bare LF
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: "
                  "base64"),
              "");
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a\"; filename=\"\xff.zip\""), "");
    EXPECT_NE(bad("Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''%zz"), "");
    // Lines ending in LF only are not multipart framing.
    EXPECT_THROW(parse_kept(k_type,
                            "--XyZ\nContent-Disposition: form-data; "
                            "name=\"a\"\n\n1\n--XyZ--\n"),
                 InvalidInput);
    // A part without any header.
    EXPECT_THROW(parse_kept(k_type, "--XyZ\r\n\r\nbody\r\n" + k_end), InvalidInput);
    // Garbage right after a boundary.
    EXPECT_THROW(parse_kept(k_type, "--XyZjunk\r\n" + k_end), InvalidInput);
}

TEST(Multipart, ADuplicateFieldIsRefusedNamingTheField) {
    try {
        parse_kept(k_type, field("kommune", "09479158") + field("kommune", "12073008") + k_end);
        FAIL() << "a field sent twice was accepted";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("'kommune' appears twice"), std::string::npos);
        EXPECT_EQ(e.extensions()["errors"][0]["field"], "kommune");
    }
}

TEST(Multipart, TextFieldHelpers) {
    const auto form =
        parse_kept(k_type, field("layer", "buildings") + field("srs", "") +
                               field("encoding", "CP1252") + field("bad", "\xc3\x28") +
                               field("long", std::string(1001, 'a')) + file("file", "a.zip", "PK") +
                               file("nofile", "", "") + field("plain", "not a file") + k_end);
    EXPECT_EQ(form.optional_text("encoding"), "CP1252");
    EXPECT_EQ(form.optional_text("srs"), std::nullopt);   // an empty input
    EXPECT_EQ(form.optional_text("mode"), std::nullopt);  // absent

    const auto field_of = [&](auto&& call) -> std::string {
        try {
            call();
        } catch (const InvalidInput& e) {
            return e.extensions()["errors"][0]["field"].get<std::string>() + ": " + e.what();
        }
        return {};
    };
    EXPECT_EQ(field_of([&] { form.required_text("kommune"); }),
              "kommune: the form field 'kommune' is missing");
    EXPECT_EQ(field_of([&] { form.required_text("srs"); }), "srs: the form field 'srs' is empty");
    EXPECT_NE(field_of([&] { form.required_text("bad"); }).find("not valid UTF-8"),
              std::string::npos);
    EXPECT_NE(field_of([&] { form.optional_text("long"); }).find("longer than 1000"),
              std::string::npos);
    EXPECT_NE(field_of([&] { form.required_text("file"); }).find("must be text"),
              std::string::npos);
    EXPECT_EQ(form.required_file("file").body, "PK");
    EXPECT_NE(field_of([&] { form.required_file("nofile"); }).find("is empty"), std::string::npos);
    EXPECT_NE(field_of([&] { form.required_file("plain"); }).find("must be a file"),
              std::string::npos);
    EXPECT_NE(field_of([&] { form.required_file("upload"); }).find("is missing"),
              std::string::npos);
}

TEST(Multipart, ErrorsCarryStableCodes) {
    // The code of what parse or a helper throws, and the code of its first field error.
    const auto codes_of = [](auto&& call) -> std::pair<std::string, std::string> {
        try {
            call();
        } catch (const InvalidInput& e) {
            const auto& errors = e.extensions().value("errors", nlohmann::json::array());
            return {e.code(), errors.empty() ? "" : errors[0].value("code", "")};
        }
        return {};
    };
    using Codes = std::pair<std::string, std::string>;
    const Codes malformed{"malformed_multipart", ""};
    const std::string whole = field("a", "1") + k_end;
    EXPECT_EQ(codes_of([&] { parse_kept(k_type, whole.substr(0, whole.size() - 4)); }), malformed);
    EXPECT_EQ(codes_of([&] { parse_kept("multipart/form-data", whole); }), malformed);
    EXPECT_EQ(codes_of([&] { parse_kept("multipart/form-data; boundary=\"a;b\"", whole); }),
              malformed);
    EXPECT_EQ(codes_of([&] { parse_kept(k_type, part("Content-Type: text/plain", "x") + k_end); }),
              malformed);
    EXPECT_EQ(codes_of([&] {
                  parse_kept(k_type, part("Content-Disposition: form-data; name=\"a\"\r\n"
                                          "Content-Transfer-Encoding: base64",
                                          "x") +
                                         k_end);
              }),
              malformed);
    EXPECT_EQ(codes_of([&] { parse_kept(k_type, field("a", "1") + field("a", "2") + k_end); }),
              (Codes{"invalid_fields", "duplicate"}));
    EXPECT_EQ(codes_of([&] { parse_kept(k_type, file("a", "\xff.zip", "x") + k_end); }),
              (Codes{"invalid_fields", "not_utf8"}));

    const auto form =
        parse_kept(k_type, field("bad", "\xc3\x28") + field("long", std::string(1001, 'a')) +
                               file("file", "a.zip", "PK") + field("plain", "text") +
                               field("srs", "UTM32") + k_end);
    EXPECT_EQ(codes_of([&] { form.required_text("kommune"); }),
              (Codes{"invalid_fields", "required"}));
    EXPECT_EQ(codes_of([&] { form.optional_text("bad"); }), (Codes{"invalid_fields", "not_utf8"}));
    EXPECT_EQ(codes_of([&] { form.optional_text("long"); }), (Codes{"invalid_fields", "too_long"}));
    EXPECT_EQ(codes_of([&] { form.optional_text("file"); }),
              (Codes{"invalid_fields", "wrong_type"}));
    EXPECT_EQ(codes_of([&] { form.required_file("plain"); }),
              (Codes{"invalid_fields", "wrong_type"}));
    EXPECT_EQ(codes_of([&] { form.required_file("upload"); }),
              (Codes{"invalid_fields", "required"}));
    EXPECT_EQ(codes_of([&] { optional_epsg(form, "srs"); }),
              (Codes{"invalid_fields", "invalid_value"}));
}

TEST(Multipart, OptionalEpsg) {
    const auto form =
        parse_kept(k_type, field("a", "25832") + field("b", "EPSG:31468") +
                               field("c", "epsg:4326") + field("d", "") + field("e", "UTM32") +
                               field("f", "25832 ") + field("g", "0") + k_end);
    EXPECT_EQ(optional_epsg(form, "a"), 25832);
    EXPECT_EQ(optional_epsg(form, "b"), 31468);
    EXPECT_EQ(optional_epsg(form, "c"), 4326);
    EXPECT_EQ(optional_epsg(form, "d"), std::nullopt);
    EXPECT_EQ(optional_epsg(form, "missing"), std::nullopt);
    for (const char* name : {"e", "f", "g"})
        EXPECT_THROW(optional_epsg(form, name), InvalidInput) << name;
}

TEST(Multipart, FilesMayShareANameTextFieldsMayNot) {
    // A shapefile chosen as its parts: several files named `file`, kept in the order sent.
    const auto form =
        parse_kept(k_type, file("file", "haus.shp", "shp") + file("file", "haus.shx", "shx") +
                               file("file", "haus.dbf", "dbf") + field("kommune", "1") + k_end);
    const auto files = form.required_files("file");
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0]->filename, "haus.shp");
    EXPECT_EQ(files[2]->body, "dbf");
    EXPECT_EQ(form.required_files("file").size(), 3u);
    // Where one file is meant, two are refused by name, with the field code of a repeat.
    const auto code_of = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const InvalidInput& e) {
            return e.extensions()["errors"][0].value("code", "");
        }
        return "(accepted)";
    };
    EXPECT_EQ(code_of([&] { form.required_file("file"); }), "duplicate");
    EXPECT_EQ(code_of([&] { form.required_files("kommune"); }), "wrong_type");
    EXPECT_EQ(code_of([&] { form.required_files("upload"); }), "required");
    // A text field and a file under one name, in either order, are a repeat as before.
    EXPECT_EQ(
        code_of([&] { parse_kept(k_type, file("a", "x.shp", "x") + field("a", "1") + k_end); }),
        "duplicate");
    EXPECT_EQ(
        code_of([&] { parse_kept(k_type, field("a", "1") + file("a", "x.shp", "x") + k_end); }),
        "duplicate");
    // Every file must have content.
    EXPECT_EQ(code_of([&] {
                  parse_kept(k_type, file("file", "a.shp", "x") + file("file", "a.shx", "") + k_end)
                      .required_files("file");
              }),
              "required");
}

}  // namespace
}  // namespace leerstand::http
