// Boost's assertions in checked builds: the sanitizer and fuzzing builds compile without NDEBUG,
// and gw_backends sets BOOST_ENABLE_ASSERT_DEBUG_HANDLER, so a failed BOOST_ASSERT comes here
// (release builds define NDEBUG and compile the assertions out, handler included).
//
// Every assertion stays fatal but one that Beast itself found wrong. Its chunked-body parser
// asserts that, once the last chunk's line ("0\r\n") has been read and the trailers are still
// incomplete, the next put() presents at least five bytes. That assumes a CRLF before the last
// chunk; a body whose first chunk is the last one ("0\r\n", then one more byte) presents four,
// and the code after the assertion handles that correctly (it asks for more). Beast corrected the
// assertion in May 2024 (boostorg/beast pull request 2861), after Boost 1.85; Debian 12 has
// 1.81. Both HTTP/1 parsers of the gateway are Beast's (backends/http1_parser.hpp), so any client
// or upstream can reach it: the production binary needs this handler in checked builds.
#include <boost/assert.hpp>
#include <boost/version.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

bool corrected_upstream(std::string_view expr, std::string_view file) {
#if BOOST_VERSION < 108600
  return expr == "n >= 5" && file.ends_with("boost/beast/http/impl/basic_parser.ipp");
#else
  (void)expr;
  (void)file;
  return false;
#endif
}

}  // namespace

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (corrected_upstream(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost
