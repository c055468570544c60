// SPDX-License-Identifier: Apache-2.0
// Cedar's decimal extension type.
#include "policy/Extensions.h"

namespace mandate::policy::ext {

std::optional<DecimalValue> parseDecimal(std::string_view text)
{
    size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    if (negative)
        ++i;
    const size_t intStart = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        ++i;
    if (i == intStart || i >= text.size() || text[i] != '.')
        return std::nullopt;
    const size_t intEnd = i++;
    const size_t fracStart = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        ++i;
    const size_t fracDigits = i - fracStart;
    if (i != text.size() || fracDigits == 0 || fracDigits > 4)
        return std::nullopt;
    // Accumulate negatively so that the most negative value is representable.
    int64_t acc = 0;
    auto push = [&acc, negative](char c) {
        const int digit = c - '0';
        if (__builtin_mul_overflow(acc, int64_t(10), &acc))
            return false;
        return !(negative ? __builtin_sub_overflow(acc, int64_t(digit), &acc)
                          : __builtin_add_overflow(acc, int64_t(digit), &acc));
    };
    for (size_t k = intStart; k < intEnd; ++k)
        if (!push(text[k]))
            return std::nullopt;
    for (size_t k = fracStart; k < fracStart + 4; ++k)
        if (!push(k < fracStart + fracDigits ? text[k] : '0'))
            return std::nullopt;
    return DecimalValue{acc};
}

std::string formatDecimal(DecimalValue d)
{
    const bool negative = d.scaled < 0;
    const uint64_t magnitude = negative ? uint64_t(0) - uint64_t(d.scaled) : uint64_t(d.scaled);
    std::string frac = std::to_string(magnitude % 10000);
    frac.insert(0, 4 - frac.size(), '0');
    return (negative ? "-" : "") + std::to_string(magnitude / 10000) + '.' + frac;
}

} // namespace mandate::policy::ext
