// SPDX-License-Identifier: Apache-2.0
#include "policy/TypedJsonBytes.h"

#include "policy/Extensions.h"

#include <string>

namespace mandate::policy {

namespace {

/// One pass over the bytes; every unexpected byte gives up (nullopt / false).
class Reader
{
public:
    explicit Reader(QByteArrayView text) : m_p(text.data()), m_end(text.data() + text.size()) {}

    bool atEnd()
    {
        skipSpace();
        return m_p == m_end;
    }

    std::optional<Value> value(const SchemaType &expected, int depth)
    {
        skipSpace();
        if (depth > TypedJsonBytes::kMaxDepth || m_p == m_end)
            return std::nullopt;
        switch (expected.kind) {
        case SchemaType::Kind::Long:
            if (std::optional<int64_t> n = integer())
                return Value(*n);
            return std::nullopt;
        case SchemaType::Kind::String:
            if (std::optional<std::string> s = string())
                return Value::string(std::move(*s));
            return std::nullopt;
        case SchemaType::Kind::Bool:
            if (literal("true"))
                return Value(true);
            if (literal("false"))
                return Value(false);
            return std::nullopt;
        case SchemaType::Kind::Set: return set(*expected.element, depth);
        case SchemaType::Kind::Record: return record(expected, depth);
        case SchemaType::Kind::Entity: return entity(expected.entityType, depth);
        case SchemaType::Kind::Extension: return extension(expected.extension);
        case SchemaType::Kind::Named: return std::nullopt;
        }
        return std::nullopt;
    }

private:
    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool take(char c)
    {
        skipSpace();
        if (m_p == m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }
    bool literal(const char *word)
    {
        const char *p = m_p;
        for (; *word; ++word, ++p) {
            if (p == m_end || *p != *word)
                return false;
        }
        m_p = p;
        return true;
    }
    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    /// A plain integer: Qt reads it exactly, and so does this.
    std::optional<int64_t> integer()
    {
        const bool negative = m_p != m_end && *m_p == '-';
        if (negative)
            ++m_p;
        const char *start = m_p;
        int64_t n = 0;
        while (m_p != m_end && isDigit(*m_p))
            n = n * 10 + (*m_p++ - '0');
        const qsizetype count = m_p - start;
        if (count == 0 || count > 18 || (count > 1 && *start == '0'))
            return std::nullopt;
        if (m_p != m_end && (*m_p == '.' || *m_p == 'e' || *m_p == 'E'))
            return std::nullopt;
        return negative ? -n : n;
    }

    std::optional<std::string> string()
    {
        if (!take('"'))
            return std::nullopt;
        std::string out;
        while (m_p != m_end) {
            // Runs of characters that stand for themselves are copied at once.
            const char *run = m_p;
            while (m_p != m_end && static_cast<unsigned char>(*m_p) >= 0x20 && static_cast<unsigned char>(*m_p) < 0x80 && *m_p != '"'
                   && *m_p != '\\')
                ++m_p;
            out.append(run, size_t(m_p - run));
            if (m_p == m_end)
                return std::nullopt;
            const auto c = static_cast<unsigned char>(*m_p++);
            if (c == '"')
                return out;
            if (c != '\\')
                return std::nullopt; // a control character or non-ASCII
            if (m_p == m_end)
                return std::nullopt;
            switch (*m_p++) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            default: return std::nullopt;
            }
        }
        return std::nullopt;
    }

    /// Any JSON value, checked and passed over (members an entity reference ignores).
    bool skip(int depth)
    {
        skipSpace();
        if (m_p == m_end || depth > TypedJsonBytes::kMaxDepth)
            return false;
        switch (*m_p) {
        case '"': return string().has_value();
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        case '[':
        case '{': {
            const bool object = *m_p++ == '{';
            const char close = object ? '}' : ']';
            if (take(close))
                return true;
            do {
                if (object && (!string() || !take(':')))
                    return false;
                if (!skip(depth + 1))
                    return false;
            } while (take(','));
            return take(close);
        }
        default: {
            if (!integer())
                return false;
            return true;
        }
        }
    }

    std::optional<Value> set(const SchemaType &element, int depth)
    {
        if (!take('['))
            return std::nullopt;
        std::vector<Value> values;
        if (!take(']')) {
            do {
                std::optional<Value> v = value(element, depth + 1);
                if (!v)
                    return std::nullopt;
                values.push_back(std::move(*v));
            } while (take(','));
            if (!take(']'))
                return std::nullopt;
        }
        return Value::set(std::move(values));
    }

    std::optional<Value> record(const SchemaType &expected, int depth)
    {
        if (!take('{'))
            return std::nullopt;
        const size_t count = expected.attributes.size();
        // Which attributes were given: in one word for the usual record, else on the heap.
        uint64_t seenBits = 0;
        std::vector<bool> seenMore(count > 64 ? count : 0, false);
        const auto seen = [&](size_t i) { return count <= 64 ? ((seenBits >> i) & 1) != 0 : bool(seenMore[i]); };
        const auto see = [&](size_t i) {
            if (count <= 64)
                seenBits |= uint64_t(1) << i;
            else
                seenMore[i] = true;
        };
        Record fields;
        fields.reserve(count);
        if (!take('}')) {
            do {
                std::optional<std::string> key = string();
                if (!key || !take(':'))
                    return std::nullopt;
                size_t index = count;
                for (size_t i = 0; i < count; ++i) {
                    if (expected.attributes[i].name == *key)
                        index = i; // the last declaration, as JsonFormats picks it
                }
                if (index == count || seen(index))
                    return std::nullopt; // undeclared (an error), or a duplicate
                see(index);
                std::optional<Value> v = value(*expected.attributes[index].type, depth + 1);
                if (!v)
                    return std::nullopt;
                fields.emplace_back(std::move(*key), std::move(*v));
            } while (take(','));
            if (!take('}'))
                return std::nullopt;
        }
        for (size_t i = 0; i < count; ++i) {
            if (!seen(i) && expected.attributes[i].required)
                return std::nullopt;
        }
        return Value::record(std::move(fields));
    }

    std::optional<Value> entity(TypeId expectedType, int depth)
    {
        if (!take('{'))
            return std::nullopt;
        std::optional<std::string> type, id;
        if (!take('}')) {
            do {
                std::optional<std::string> key = string();
                if (!key || !take(':'))
                    return std::nullopt;
                std::optional<std::string> *slot = *key == "type" ? &type : *key == "id" ? &id : nullptr;
                if (*key == "__entity")
                    return std::nullopt;
                if (slot) {
                    if (slot->has_value())
                        return std::nullopt;
                    *slot = string();
                    if (!slot->has_value())
                        return std::nullopt;
                } else if (!skip(depth + 1)) {
                    return std::nullopt;
                }
            } while (take(','));
            if (!take('}'))
                return std::nullopt;
        }
        if (!type || !id)
            return std::nullopt;
        const EntityRef uid = UidTable::uid(*type, *id);
        if (uid.type != expectedType)
            return std::nullopt;
        return Value(uid);
    }

    std::optional<Value> extension(Value::Kind kind)
    {
        const std::optional<std::string> text = string();
        if (!text)
            return std::nullopt;
        switch (kind) {
        case Value::Kind::Decimal: if (auto v = ext::parseDecimal(*text)) return Value(*v); break;
        case Value::Kind::IpAddr: if (auto v = ext::parseIp(*text)) return Value(*v); break;
        case Value::Kind::DateTime: if (auto v = ext::parseDateTime(*text)) return Value(*v); break;
        case Value::Kind::Duration: if (auto v = ext::parseDuration(*text)) return Value(*v); break;
        default: break;
        }
        return std::nullopt;
    }

    const char *m_p;
    const char *m_end;
};

} // namespace

std::optional<Value> TypedJsonBytes::value(QByteArrayView json, const SchemaType &expected)
{
    Reader reader(json);
    std::optional<Value> v = reader.value(expected, 0);
    if (!v || !reader.atEnd())
        return std::nullopt;
    return v;
}

std::optional<Value> TypedJsonBytes::context(QByteArrayView json, const Schema &schema, EntityRef action)
{
    const Schema::ActionDecl *decl = schema.action(action);
    if (!decl || !decl->context || decl->context->kind != SchemaType::Kind::Record || json.isEmpty())
        return std::nullopt;
    return value(json, *decl->context);
}

} // namespace mandate::policy
