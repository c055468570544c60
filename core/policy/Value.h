// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/EntityUid.h"

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mandate::policy {

class Value;

/// Fixed-point decimal with four digits after the point (Cedar's `decimal`).
struct DecimalValue { int64_t scaled = 0; };
/// An IPv4 or IPv6 address with a prefix length (Cedar's `ipaddr`); addr is in network order,
/// IPv4 uses the first four bytes.
struct IpValue
{
    std::array<uint8_t, 16> addr{};
    uint8_t prefix = 0;
    bool v6 = false;
};
/// Milliseconds since the Unix epoch (Cedar's `datetime`).
struct DateTimeValue { int64_t ms = 0; };
/// A signed length of time in milliseconds (Cedar's `duration`).
struct DurationValue { int64_t ms = 0; };

using StringPtr = std::shared_ptr<const std::string>;
/// Sets are kept sorted by Value::compare and free of duplicates, so that set equality is
/// element-wise and `contains` is a binary search.
using SetPtr = std::shared_ptr<const std::vector<Value>>;
/// Records are kept sorted by key.
using Record = std::vector<std::pair<std::string, Value>>;
using RecordPtr = std::shared_ptr<const Record>;

/// A Cedar value. Cheap to copy: aggregates and strings are shared and immutable.
class Value
{
public:
    enum class Kind : uint8_t { Bool, Long, String, Entity, Set, Record, Decimal, IpAddr, DateTime, Duration };

    Value() : m_v(false) {}
    Value(bool b) : m_v(b) {}
    Value(int64_t l) : m_v(l) {}
    Value(StringPtr s) : m_v(std::move(s)) {}
    Value(EntityRef e) : m_v(e) {}
    Value(SetPtr s) : m_v(std::move(s)) {}
    Value(RecordPtr r) : m_v(std::move(r)) {}
    Value(DecimalValue d) : m_v(d) {}
    Value(IpValue ip) : m_v(ip) {}
    Value(DateTimeValue d) : m_v(d) {}
    Value(DurationValue d) : m_v(d) {}

    static Value string(std::string s) { return Value(std::make_shared<const std::string>(std::move(s))); }
    /// Sorts and de-duplicates.
    static Value set(std::vector<Value> elements);
    /// Sorts by key; on duplicate keys the last one wins.
    static Value record(Record fields);

    Kind kind() const { return Kind(m_v.index()); }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isLong() const { return kind() == Kind::Long; }
    bool isString() const { return kind() == Kind::String; }
    bool isEntity() const { return kind() == Kind::Entity; }
    bool isSet() const { return kind() == Kind::Set; }
    bool isRecord() const { return kind() == Kind::Record; }

    bool asBool() const { return std::get<bool>(m_v); }
    int64_t asLong() const { return std::get<int64_t>(m_v); }
    const std::string &asString() const { return *std::get<StringPtr>(m_v); }
    EntityRef asEntity() const { return std::get<EntityRef>(m_v); }
    const std::vector<Value> &asSet() const { return *std::get<SetPtr>(m_v); }
    const Record &asRecord() const { return *std::get<RecordPtr>(m_v); }
    DecimalValue asDecimal() const { return std::get<DecimalValue>(m_v); }
    const IpValue &asIp() const { return std::get<IpValue>(m_v); }
    DateTimeValue asDateTime() const { return std::get<DateTimeValue>(m_v); }
    DurationValue asDuration() const { return std::get<DurationValue>(m_v); }

    /// A total order over all values (kind first); consistent with Cedar's `==`.
    static int compare(const Value &a, const Value &b);
    friend bool operator==(const Value &a, const Value &b) { return compare(a, b) == 0; }
    friend bool operator<(const Value &a, const Value &b) { return compare(a, b) < 0; }

    /// The attribute `name` of a record, or nullptr.
    const Value *field(std::string_view name) const;

    /// Cedar syntax, e.g. `{"a": [1, User::"x"]}` or `decimal("1.5000")`.
    std::string toCedar() const;
    static const char *kindName(Kind kind);

private:
    std::variant<bool, int64_t, StringPtr, EntityRef, SetPtr, RecordPtr, DecimalValue, IpValue, DateTimeValue,
                 DurationValue>
        m_v;
};

/// Field lookup in a sorted record.
const Value *findField(const Record &record, std::string_view name);

} // namespace mandate::policy
