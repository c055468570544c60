// SPDX-License-Identifier: Apache-2.0
// Cedar's datetime and duration extension types.
#include "policy/Extensions.h"

namespace mandate::policy::ext {

namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + int64_t(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t &y, unsigned &m, unsigned &d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = int64_t(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool digits(std::string_view s, size_t pos, size_t n, int &out)
{
    if (pos + n > s.size())
        return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::string pad(int64_t v, int width)
{
    std::string s = std::to_string(v);
    if (int(s.size()) < width)
        s.insert(0, size_t(width) - s.size(), '0');
    return s;
}

} // namespace

std::optional<DateTimeValue> parseDateTime(std::string_view s)
{
    int year, month, day;
    if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-'
        || !digits(s, 8, 2, day))
        return std::nullopt;
    static const int monthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > monthDays[month - 1] || (month == 2 && day == 29 && !leap))
        return std::nullopt;
    int64_t ms = daysFromCivil(year, unsigned(month), unsigned(day)) * kMsPerDay;
    if (s.size() == 10)
        return DateTimeValue{ms};
    int hh, mm, ss;
    if (s[10] != 'T' || !digits(s, 11, 2, hh) || s.size() < 20 || s[13] != ':' || !digits(s, 14, 2, mm)
        || s[16] != ':' || !digits(s, 17, 2, ss))
        return std::nullopt;
    if (hh > 23 || mm > 59 || ss > 59)
        return std::nullopt;
    size_t pos = 19;
    int millis = 0;
    if (s[pos] == '.') {
        if (!digits(s, pos + 1, 3, millis))
            return std::nullopt;
        pos += 4;
    }
    if (pos >= s.size())
        return std::nullopt;
    int64_t offsetMs = 0;
    if (s[pos] == 'Z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 3, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offsetMs = (int64_t(oh) * 60 + om) * 60'000 * (s[pos] == '-' ? -1 : 1);
        pos += 5;
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;
    ms += ((int64_t(hh) * 60 + mm) * 60 + ss) * 1000 + millis - offsetMs;
    return DateTimeValue{ms};
}

std::string formatDateTime(DateTimeValue d)
{
    int64_t days = d.ms / kMsPerDay;
    int64_t rest = d.ms % kMsPerDay;
    if (rest < 0) {
        rest += kMsPerDay;
        --days;
    }
    int64_t y;
    unsigned m, dd;
    civilFromDays(days, y, m, dd);
    return pad(y, 4) + '-' + pad(m, 2) + '-' + pad(dd, 2) + 'T' + pad(rest / 3'600'000, 2) + ':'
        + pad(rest / 60'000 % 60, 2) + ':' + pad(rest / 1000 % 60, 2) + '.' + pad(rest % 1000, 3) + 'Z';
}

std::optional<DurationValue> parseDuration(std::string_view s)
{
    size_t pos = 0;
    const bool negative = !s.empty() && s[0] == '-';
    if (negative)
        ++pos;
    static const struct { const char *suffix; int64_t factor; } units[] = {
        {"d", kMsPerDay}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
    int64_t total = 0;
    size_t nextUnit = 0;
    bool any = false;
    while (pos < s.size()) {
        const size_t start = pos;
        int64_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (__builtin_mul_overflow(n, int64_t(10), &n) || __builtin_add_overflow(n, int64_t(s[pos] - '0'), &n))
                return std::nullopt;
            ++pos;
        }
        if (pos == start || pos >= s.size())
            return std::nullopt;
        std::string_view suffix;
        if (s.substr(pos, 2) == "ms")
            suffix = "ms";
        else
            suffix = s.substr(pos, 1);
        size_t unit = nextUnit;
        while (unit < 5 && suffix != units[unit].suffix)
            ++unit;
        if (unit == 5)
            return std::nullopt;
        pos += suffix.size();
        nextUnit = unit + 1;
        int64_t part;
        if (__builtin_mul_overflow(n, units[unit].factor, &part))
            return std::nullopt;
        if (negative ? __builtin_sub_overflow(total, part, &total) : __builtin_add_overflow(total, part, &total))
            return std::nullopt;
        any = true;
    }
    if (!any)
        return std::nullopt;
    return DurationValue{total};
}

std::string formatDuration(DurationValue d)
{
    if (d.ms == 0)
        return "0ms";
    uint64_t v = d.ms < 0 ? uint64_t(0) - uint64_t(d.ms) : uint64_t(d.ms);
    std::string out = d.ms < 0 ? "-" : "";
    static const struct { const char *suffix; uint64_t factor; } units[] = {
        {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
    for (const auto &unit : units) {
        if (v >= unit.factor) {
            out += std::to_string(v / unit.factor) + unit.suffix;
            v %= unit.factor;
        }
    }
    return out;
}

} // namespace mandate::policy::ext
