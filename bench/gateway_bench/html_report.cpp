#include "bench/gateway_bench/html_report.hpp"

#include "bench/gateway_bench/report_page_assets.hpp"  // generated: page::css, page::js

namespace gw::bench {
namespace {

// A <script> element's text ends at the first "</script" whatever its type, and "<!--" changes
// how the HTML parser reads it. In JSON these characters can only occur inside strings, where
// \u003c and friends mean the same to JSON.parse: the document reads back unchanged.
void append_script_safe_json(std::string& out, std::string_view json) {
  for (const char c : json) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
}

}  // namespace

std::string html_report(std::string_view json_document) {
  std::string page;
  page.reserve(page::css.size() + page::js.size() + json_document.size() + 1024);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // The policy enforces "no network at view time" in the browser: nothing but the inline style
  // and script may load, so a stray external reference fails visibly instead of phoning out.
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>gateway-bench report</title>\n<style>\n";
  page += page::css;
  page += "</style>\n</head>\n<body data-rendered=\"pending\">\n";
  page += "<noscript><p>This report draws its tables and charts with JavaScript; the raw JSON "
          "document is in the element with id bench-data (view the page source).</p></noscript>\n";
  page += "<main id=\"report\"></main>\n";
  page += "<script type=\"application/json\" id=\"bench-data\">";
  append_script_safe_json(page, json_document);
  page += "</script>\n<script>\n";
  page += page::js;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace gw::bench
