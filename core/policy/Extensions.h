// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Value.h"

#include <optional>
#include <string>
#include <string_view>

/// Parsing, printing and arithmetic of Cedar's extension types. Every parser returns nullopt on
/// malformed or out-of-range input; callers turn that into an evaluation error.
namespace mandate::policy::ext {

// decimal: -?[0-9]+.[0-9]{1,4}, stored scaled by 10^4 in 64 bits.
std::optional<DecimalValue> parseDecimal(std::string_view text);
std::string formatDecimal(DecimalValue d);

// ipaddr: IPv4 dotted quad or IPv6, optional /prefix.
std::optional<IpValue> parseIp(std::string_view text);
std::string formatIp(const IpValue &ip);
bool ipIsLoopback(const IpValue &ip);
bool ipIsMulticast(const IpValue &ip);
/// True when every address of `ip`'s range lies in `range` (same IP version only).
bool ipIsInRange(const IpValue &ip, const IpValue &range);

// datetime: YYYY-MM-DD[Thh:mm:ss[.SSS](Z|(+|-)hhmm)]
std::optional<DateTimeValue> parseDateTime(std::string_view text);
std::string formatDateTime(DateTimeValue d);
// duration: -?(Nd)?(Nh)?(Nm)?(Ns)?(Nms)? with at least one unit
std::optional<DurationValue> parseDuration(std::string_view text);
std::string formatDuration(DurationValue d);

} // namespace mandate::policy::ext
