// gateway-bench-html: renders a document that gateway-bench wrote with --json (a run or a sweep)
// as the self-contained HTML report, the same page as gateway-bench --html. For re-rendering
// saved runs, and for the browser test. See bench/README.md, "HTML report".
//
//   gateway-bench-html RUN.json [REPORT.html]     (no REPORT: the page goes to stdout)

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "bench/gateway_bench/html_report.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || std::string_view(argv[1]) == "--help") {
    std::cerr << "usage: gateway-bench-html RUN.json [REPORT.html]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::ostringstream json;
  json << in.rdbuf();
  if (!in) {
    std::cerr << "gateway-bench-html: cannot read " << argv[1] << "\n";
    return 3;
  }
  const std::string page = gw::bench::html_report(json.str());
  if (argc == 2) {
    std::cout << page << std::flush;
    return std::cout ? 0 : 3;
  }
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << page;
  out.close();
  if (!out) {
    std::cerr << "gateway-bench-html: cannot write " << argv[2] << "\n";
    return 3;
  }
  return 0;
}
