#pragma once
// The HTML report: one self-contained page (inline CSS, inline JS drawing SVG charts, no network
// at view time) that embeds gateway-bench's JSON document and renders it in the browser.
// Pure: takes the document as written by --json (a run, or a sweep of runs) and returns the page.

#include <string>
#include <string_view>

namespace gw::bench {

// The whole page. The document is embedded as it is, but with '<', '>' and '&' written as JSON
// \u escapes, so no string in it (a model named "</script>") can end the script element. The
// document is not validated here: the page reports a document it cannot read in its body.
std::string html_report(std::string_view json_document);

}  // namespace gw::bench
