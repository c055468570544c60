// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace mandate {

/// RFC 9110 §5.6.2 tchar: a character of a token (a field name, a method, a parameter name).
constexpr bool isHttpTokenChar(char c)
{
    constexpr std::string_view symbols = "!#$%&'*+-.^_`|~";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || symbols.find(c) != std::string_view::npos;
}

} // namespace mandate
