// SPDX-License-Identifier: Apache-2.0
#include "policy/EntityUid.h"

#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace mandate::policy {

namespace {

struct PairHash
{
    size_t operator()(const std::pair<uint32_t, std::string> &key) const
    {
        return std::hash<std::string>()(key.second) * 31u + key.first;
    }
};

struct Tables
{
    std::shared_mutex lock;
    std::deque<std::string> typeNames{std::string()};
    std::unordered_map<std::string, uint32_t> typeIndex;
    std::deque<std::pair<uint32_t, std::string>> uids{{0, std::string()}};
    std::unordered_map<std::pair<uint32_t, std::string>, uint32_t, PairHash> uidIndex;
};

Tables &tables()
{
    static Tables t;
    return t;
}

} // namespace

uint32_t UidTable::type(std::string_view typeName)
{
    Tables &t = tables();
    const std::string key(typeName);
    {
        std::shared_lock read(t.lock);
        if (const auto it = t.typeIndex.find(key); it != t.typeIndex.end())
            return it->second;
    }
    std::unique_lock write(t.lock);
    const auto [it, inserted] = t.typeIndex.emplace(key, uint32_t(t.typeNames.size()));
    if (inserted)
        t.typeNames.push_back(key);
    return it->second;
}

EntityRef UidTable::uid(uint32_t type, std::string_view id)
{
    Tables &t = tables();
    std::pair<uint32_t, std::string> key(type, std::string(id));
    {
        std::shared_lock read(t.lock);
        if (const auto it = t.uidIndex.find(key); it != t.uidIndex.end())
            return {it->second, type};
    }
    std::unique_lock write(t.lock);
    const auto [it, inserted] = t.uidIndex.emplace(key, uint32_t(t.uids.size()));
    if (inserted)
        t.uids.push_back(std::move(key));
    return {it->second, type};
}

std::string UidTable::typeName(uint32_t type)
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    return type < t.typeNames.size() ? t.typeNames[type] : std::string();
}

std::string UidTable::id(EntityRef ref)
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    return ref.uid < t.uids.size() ? t.uids[ref.uid].second : std::string();
}

std::string UidTable::display(EntityRef ref)
{
    return typeName(ref.type) + "::\"" + escapeCedarString(id(ref)) + '"';
}

std::string escapeCedarString(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\0': out += "\\0"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u{";
                out += hex[(c >> 4) & 0xf];
                out += hex[c & 0xf];
                out += '}';
            } else {
                out += c;
            }
        }
    }
    return out;
}

} // namespace mandate::policy
