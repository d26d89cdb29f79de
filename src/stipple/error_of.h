// For tests: the message of the exception a callable throws, so a test can assert the words a
// user would read.
#pragma once

#include <exception>
#include <string>

namespace stipple {

// The what() of the E that f throws, or "" when it throws nothing; any other exception passes
// through (and fails the test).
template <typename E = std::exception, typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace stipple
