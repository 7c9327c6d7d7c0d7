#include "bench/gateway_bench/html_report.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bench/gateway_bench/options.hpp"

namespace gw::bench {
namespace {

const std::string run_doc =
    R"({"tool":"gateway-bench","kind":"run","config":{"url":"http://127.0.0.1:8080","model":"m"},)"
    R"("throughput":{"requests_per_s":12.5},"ttft_ms":{"count":1,"p50":10,"p99":20},)"
    R"("timeline":[{"t_s":1,"in_flight":3,"tokens_per_s":40}],"ttft_cdf":[[10,0.5],[20,1]]})";

const std::string sweep_doc =
    R"({"tool":"gateway-bench","kind":"sweep","config":{"model":"m","sweep":{"variable":"rate",)"
    R"("mode":"list","values":[1,2]}},"points":[{"kind":"run","load":{"variable":"rate","value":1}},)"
    R"({"kind":"run","load":{"variable":"rate","value":2}}],"max_rate":null})";

// The text of the <script type="application/json" id="bench-data"> element.
std::string embedded_document(const std::string& page) {
  const std::string open = R"(<script type="application/json" id="bench-data">)";
  const auto start = page.find(open);
  if (start == std::string::npos) return {};
  const auto end = page.find("</script>", start);
  return page.substr(start + open.size(), end - start - open.size());
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(bench_html_report, embeds_the_document_as_given) {
  const std::string page = html_report(run_doc);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(embedded_document(page), run_doc);
  EXPECT_NE(page.find(R"(<main id="report"></main>)"), std::string::npos);
  EXPECT_NE(page.find(R"(<body data-rendered="pending">)"), std::string::npos);
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
}

TEST(bench_html_report, a_string_cannot_end_the_script_element) {
  const std::string model = R"(</script><script>alert(1)</script><!-- & </SCRIPT >)";
  const std::string doc = R"({"tool":"gateway-bench","kind":"run","config":{"model":")" +
                          std::regex_replace(model, std::regex("\""), "\\\"") + R"("}})";
  const std::string page = html_report(doc);
  // Only the page's own two script elements close; nothing of the model's markup is left raw.
  std::string lower = page;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(count(lower, "</script"), 2u);
  EXPECT_EQ(count(page, "<!--"), 0u);
  EXPECT_EQ(count(page, "alert(1)"), 1u);
  // The escapes are JSON's own: the document reads back with the model unchanged.
  const std::string embedded = embedded_document(page);
  EXPECT_EQ(embedded.find('<'), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(embedded).get(root), simdjson::SUCCESS) << embedded;
  EXPECT_EQ(std::string_view(root["config"]["model"]), model);
}

TEST(bench_html_report, loads_nothing_from_the_network) {
  for (const std::string* doc : {&run_doc, &sweep_doc}) {
    const std::string page = html_report(*doc);
    // The document itself names an http:// URL; no attribute of the page may point anywhere.
    static const std::regex remote_attribute(R"((src|href|action|data)\s*=\s*["']?\s*(https?:)?//)",
                                             std::regex::icase);
    EXPECT_FALSE(std::regex_search(page, remote_attribute));
    for (std::string_view loader : {"<link", "<img", "<iframe", "@import", "url(", "fetch(", "XMLHttpRequest"})
      EXPECT_EQ(page.find(loader), std::string::npos) << loader;
    // The browser enforces it too: nothing but the inline style and script may load.
    EXPECT_NE(page.find("content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"),
              std::string::npos);
  }
}

TEST(bench_html_report, run_and_sweep_documents_get_the_same_page) {
  const std::string run = html_report(run_doc);
  const std::string sweep = html_report(sweep_doc);
  EXPECT_EQ(embedded_document(sweep), sweep_doc);
  // The page is the same code for both; only the embedded document differs.
  EXPECT_EQ(run.size() - run_doc.size(), sweep.size() - sweep_doc.size());
  for (std::string_view id : {"\"throughput-latency\"", "\"ttft-cdf\"", "\"errors-by-kind\"", "`timeline-${i}`"})
    EXPECT_NE(run.find(id), std::string::npos) << id;
  EXPECT_NE(run.find("doc.kind === \"sweep\""), std::string::npos);  // a run is a sweep of one point
}

TEST(bench_html_report, the_page_carries_the_source_files_verbatim) {
  // The build embeds report_page.{css,js} (embed_page.cmake): the page holds them byte for byte.
  const std::string page = html_report("{}");
  for (const char* file : {"report_page.js", "report_page.css"}) {
    std::ifstream in(std::string(GATEWAY_SOURCE_DIR) + "/bench/gateway_bench/" + file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    ASSERT_FALSE(text.str().empty()) << file;
    EXPECT_NE(page.find(text.str()), std::string::npos) << file << " is not in the page as it is in the tree";
  }
}

TEST(bench_html_report, html_option_names_the_file) {
  const parse_result r = parse_options(std::vector<std::string_view>{"--model", "m", "--html", "out.html"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.options.html_path, "out.html");
  EXPECT_TRUE(parse_options(std::vector<std::string_view>{"--model", "m"}).options.html_path.empty());
  const parse_result missing = parse_options(std::vector<std::string_view>{"--model", "m", "--html"});
  EXPECT_NE(missing.error.find("--html"), std::string::npos) << missing.error;
  EXPECT_NE(help_text().find("--html FILE"), std::string::npos);
}

}  // namespace
}  // namespace gw::bench
