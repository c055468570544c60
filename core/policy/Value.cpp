// SPDX-License-Identifier: Apache-2.0
#include "policy/Value.h"

#include "policy/Extensions.h"

#include <algorithm>
#include <cstring>

namespace mandate::policy {

Value Value::set(std::vector<Value> elements)
{
    // Elements read from sorted input (a canonical record's sets) are often in order already.
    if (std::adjacent_find(elements.begin(), elements.end(), [](const Value &a, const Value &b) { return !(a < b); })
        == elements.end())
        return Value(std::make_shared<const std::vector<Value>>(std::move(elements)));
    std::sort(elements.begin(), elements.end());
    elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
    return Value(std::make_shared<const std::vector<Value>>(std::move(elements)));
}

Value Value::record(Record fields)
{
    // Keys read from canonical JSON come sorted and unique: nothing to sort or replace.
    if (std::adjacent_find(fields.begin(), fields.end(), [](const auto &a, const auto &b) { return !(a.first < b.first); })
        == fields.end())
        return Value(std::make_shared<const Record>(std::move(fields)));
    std::stable_sort(fields.begin(), fields.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    Record unique;
    unique.reserve(fields.size());
    for (auto &field : fields) {
        if (!unique.empty() && unique.back().first == field.first)
            unique.back().second = std::move(field.second);
        else
            unique.push_back(std::move(field));
    }
    return Value(std::make_shared<const Record>(std::move(unique)));
}

namespace {

template<typename T>
int cmp(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

} // namespace

int Value::compare(const Value &a, const Value &b)
{
    if (a.m_v.index() != b.m_v.index())
        return cmp(a.m_v.index(), b.m_v.index());
    switch (a.kind()) {
    case Kind::Bool: return cmp(a.asBool(), b.asBool());
    case Kind::Long: return cmp(a.asLong(), b.asLong());
    case Kind::String: {
        const auto &sa = std::get<StringPtr>(a.m_v);
        const auto &sb = std::get<StringPtr>(b.m_v);
        return sa == sb ? 0 : sa->compare(*sb);
    }
    case Kind::Entity: return cmp(a.asEntity().uid, b.asEntity().uid);
    case Kind::Set: {
        const auto &x = a.asSet();
        const auto &y = b.asSet();
        if (&x == &y)
            return 0;
        if (x.size() != y.size())
            return cmp(x.size(), y.size());
        for (size_t i = 0; i < x.size(); ++i)
            if (const int c = compare(x[i], y[i]))
                return c;
        return 0;
    }
    case Kind::Record: {
        const auto &x = a.asRecord();
        const auto &y = b.asRecord();
        if (&x == &y)
            return 0;
        if (x.size() != y.size())
            return cmp(x.size(), y.size());
        for (size_t i = 0; i < x.size(); ++i) {
            if (const int c = x[i].first.compare(y[i].first))
                return c;
            if (const int c = compare(x[i].second, y[i].second))
                return c;
        }
        return 0;
    }
    case Kind::Decimal: return cmp(a.asDecimal().scaled, b.asDecimal().scaled);
    case Kind::IpAddr: {
        const IpValue &x = a.asIp();
        const IpValue &y = b.asIp();
        if (x.v6 != y.v6)
            return cmp(x.v6, y.v6);
        if (const int c = std::memcmp(x.addr.data(), y.addr.data(), x.addr.size()))
            return c < 0 ? -1 : 1;
        return cmp(x.prefix, y.prefix);
    }
    case Kind::DateTime: return cmp(a.asDateTime().ms, b.asDateTime().ms);
    case Kind::Duration: return cmp(a.asDuration().ms, b.asDuration().ms);
    }
    return 0;
}

const Value *findField(const Record &record, std::string_view name)
{
    if (record.size() <= 8) {
        for (const auto &field : record)
            if (field.first == name)
                return &field.second;
        return nullptr;
    }
    const auto it = std::lower_bound(record.begin(), record.end(), name,
                                     [](const auto &field, std::string_view key) { return field.first < key; });
    return it != record.end() && it->first == name ? &it->second : nullptr;
}

const Value *Value::field(std::string_view name) const
{
    return isRecord() ? findField(asRecord(), name) : nullptr;
}

const char *Value::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Bool: return "bool";
    case Kind::Long: return "long";
    case Kind::String: return "string";
    case Kind::Entity: return "entity";
    case Kind::Set: return "set";
    case Kind::Record: return "record";
    case Kind::Decimal: return "decimal";
    case Kind::IpAddr: return "ipaddr";
    case Kind::DateTime: return "datetime";
    case Kind::Duration: return "duration";
    }
    return "?";
}

std::string Value::toCedar() const
{
    switch (kind()) {
    case Kind::Bool: return asBool() ? "true" : "false";
    case Kind::Long: return std::to_string(asLong());
    case Kind::String: return '"' + escapeCedarString(asString()) + '"';
    case Kind::Entity: return UidTable::display(asEntity());
    case Kind::Set: {
        std::string out = "[";
        for (const Value &v : asSet())
            out += (out.size() > 1 ? ", " : "") + v.toCedar();
        return out + ']';
    }
    case Kind::Record: {
        std::string out = "{";
        for (const auto &[key, v] : asRecord())
            out += (out.size() > 1 ? ", \"" : "\"") + escapeCedarString(key) + "\": " + v.toCedar();
        return out + '}';
    }
    case Kind::Decimal: return "decimal(\"" + ext::formatDecimal(asDecimal()) + "\")";
    case Kind::IpAddr: return "ip(\"" + ext::formatIp(asIp()) + "\")";
    case Kind::DateTime: return "datetime(\"" + ext::formatDateTime(asDateTime()) + "\")";
    case Kind::Duration: return "duration(\"" + ext::formatDuration(asDuration()) + "\")";
    }
    return {};
}

} // namespace mandate::policy
