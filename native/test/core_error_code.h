// Runs a call and reports the core::Error code it threw, so a test states the exact code it
// expects and a failure prints what happened instead ("<no error>", another code, ...).
#pragma once

#include <exception>
#include <string>

#include "core/error.h"

namespace openrms::test {

template <class Call>
std::string CoreErrorCode(Call&& call) {
  try {
    call();
  } catch (const core::Error& e) {
    return e.code();
  } catch (const std::exception& e) {
    return std::string("<not a core::Error: ") + e.what() + ">";
  }
  return "<no error>";
}

}  // namespace openrms::test
