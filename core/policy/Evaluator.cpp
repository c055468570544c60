// SPDX-License-Identifier: Apache-2.0
#include "policy/Evaluator.h"

#include "policy/Extensions.h"

#include <algorithm>

namespace mandate::policy {

using Op = Expr::Op;
using Kind = Value::Kind;

namespace {

[[noreturn]] void raise(std::string message)
{
    throw EvalError{std::move(message)};
}

void expectKind(const Value &v, Kind kind, const char *what)
{
    if (v.kind() != kind)
        raise(std::string("type error: ") + what + " expects " + Value::kindName(kind) + ", got "
              + Value::kindName(v.kind()));
}

int64_t checkedArith(char op, int64_t a, int64_t b)
{
    int64_t out = 0;
    const bool overflow = op == '+' ? __builtin_add_overflow(a, b, &out)
        : op == '-'                 ? __builtin_sub_overflow(a, b, &out)
                                    : __builtin_mul_overflow(a, b, &out);
    if (overflow)
        raise(std::string("integer overflow: ") + std::to_string(a) + ' ' + op + ' ' + std::to_string(b));
    return out;
}

std::string entityMissing(EntityRef e)
{
    return "entity " + UidTable::display(e) + " does not exist";
}

const std::vector<Value> &asSetFor(const Value &v, const char *what)
{
    expectKind(v, Kind::Set, what);
    return v.asSet();
}

} // namespace

bool Evaluator::wildcardMatch(const std::string &text, const std::u32string &pattern)
{
    thread_local std::u32string chars;
    chars.clear();
    for (size_t i = 0; i < text.size();) {
        const auto b0 = static_cast<unsigned char>(text[i++]);
        if (b0 < 0x80) {
            chars += char32_t(b0);
            continue;
        }
        int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : 1;
        char32_t cp = b0 & (0x3F >> extra);
        while (extra-- > 0 && i < text.size())
            cp = (cp << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
        chars += cp;
    }
    constexpr char32_t star = 0xFFFFFFFF;
    size_t t = 0, p = 0, starP = std::u32string::npos, starT = 0;
    while (t < chars.size()) {
        if (p < pattern.size() && pattern[p] == star) {
            starP = p++;
            starT = t;
        } else if (p < pattern.size() && pattern[p] == chars[t]) {
            ++p;
            ++t;
        } else if (starP != std::u32string::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == star)
        ++p;
    return p == pattern.size();
}

bool Evaluator::evalBool(const Expr &e) const
{
    const Value v = eval(e);
    expectKind(v, Kind::Bool, "this operator");
    return v.asBool();
}

bool Evaluator::inValue(EntityRef lhs, const Value &rhs) const
{
    if (rhs.isEntity())
        return m_entities.isDescendantOrSelf(lhs, rhs.asEntity());
    if (!rhs.isSet())
        raise(std::string("type error: `in` expects an entity or a set of entities on the right, got ")
              + Value::kindName(rhs.kind()));
    const Entity *entity = m_entities.find(lhs);
    bool found = false;
    for (const Value &v : rhs.asSet()) {
        if (!v.isEntity())
            raise(std::string("type error: `in` expects a set of entities, found a ") + Value::kindName(v.kind()));
        const EntityRef target = v.asEntity();
        if (!found && (target.uid == lhs.uid
                       || (entity && std::binary_search(entity->ancestors.begin(), entity->ancestors.end(), target.uid))))
            found = true;
    }
    return found;
}

Value Evaluator::eval(const Expr &e) const
{
    switch (e.op) {
    case Op::Literal: return e.value;
    case Op::Var:
        switch (e.var) {
        case Expr::Var::Principal: return Value(m_request.principal);
        case Expr::Var::Action: return Value(m_request.action);
        case Expr::Var::Resource: return Value(m_request.resource);
        case Expr::Var::Context: return m_request.context;
        }
        break;
    case Op::If: {
        const Value c = eval(*e.kids[0]);
        expectKind(c, Kind::Bool, "`if`");
        return eval(*e.kids[c.asBool() ? 1 : 2]);
    }
    case Op::And: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Bool, "`&&`");
        if (!l.asBool())
            return Value(false);
        const Value r = eval(*e.kids[1]);
        expectKind(r, Kind::Bool, "`&&`");
        return r;
    }
    case Op::Or: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Bool, "`||`");
        if (l.asBool())
            return Value(true);
        const Value r = eval(*e.kids[1]);
        expectKind(r, Kind::Bool, "`||`");
        return r;
    }
    case Op::Not: {
        const Value v = eval(*e.kids[0]);
        expectKind(v, Kind::Bool, "`!`");
        return Value(!v.asBool());
    }
    case Op::Neg: {
        const Value v = eval(*e.kids[0]);
        expectKind(v, Kind::Long, "unary `-`");
        if (v.asLong() == INT64_MIN)
            raise("integer overflow: -(" + std::to_string(v.asLong()) + ')');
        return Value(-v.asLong());
    }
    case Op::Eq: return Value(eval(*e.kids[0]) == eval(*e.kids[1]));
    case Op::NotEq: return Value(!(eval(*e.kids[0]) == eval(*e.kids[1])));
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
        const Value l = eval(*e.kids[0]);
        const Value r = eval(*e.kids[1]);
        int64_t a, b;
        if (l.isLong() && r.isLong()) {
            a = l.asLong();
            b = r.asLong();
        } else if (l.kind() == Kind::DateTime && r.kind() == Kind::DateTime) {
            a = l.asDateTime().ms;
            b = r.asDateTime().ms;
        } else if (l.kind() == Kind::Duration && r.kind() == Kind::Duration) {
            a = l.asDuration().ms;
            b = r.asDuration().ms;
        } else {
            raise(std::string("type error: comparison expects two longs, datetimes or durations, got ")
                  + Value::kindName(l.kind()) + " and " + Value::kindName(r.kind()));
        }
        switch (e.op) {
        case Op::Lt: return Value(a < b);
        case Op::Le: return Value(a <= b);
        case Op::Gt: return Value(a > b);
        default: return Value(a >= b);
        }
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Long, "arithmetic");
        const Value r = eval(*e.kids[1]);
        expectKind(r, Kind::Long, "arithmetic");
        const int64_t a = l.asLong(), b = r.asLong();
        return Value(checkedArith(e.op == Op::Add ? '+' : e.op == Op::Sub ? '-' : '*', a, b));
    }
    case Op::In: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Entity, "`in`");
        return Value(inValue(l.asEntity(), eval(*e.kids[1])));
    }
    case Op::Has: {
        // `e has a.b.c` is `e has a && e.a has b && e.a.b has c`: false at the first attribute
        // missing, an error where a step is neither an entity nor a record.
        Value subject = eval(*e.kids[0]);
        for (size_t step = 0; step <= e.keys.size(); ++step) {
            const std::string &name = step == 0 ? e.name : e.keys[step - 1];
            const Value *field = nullptr;
            if (subject.isEntity()) {
                const Entity *entity = m_entities.find(subject.asEntity());
                field = entity ? findField(*entity->attrs, name) : nullptr;
            } else if (subject.isRecord()) {
                field = findField(subject.asRecord(), name);
            } else {
                raise(std::string("type error: `has` expects an entity or a record, got ") + Value::kindName(subject.kind()));
            }
            if (!field)
                return Value(false);
            if (step == e.keys.size())
                return Value(true);
            subject = Value(*field);
        }
        return Value(false);  // not reached: the last step returned
    }
    case Op::Attr: {
        const Value l = eval(*e.kids[0]);
        if (l.isEntity()) {
            const Entity *entity = m_entities.find(l.asEntity());
            if (!entity)
                raise(entityMissing(l.asEntity()));
            if (const Value *v = findField(*entity->attrs, e.name))
                return *v;
            raise("entity " + UidTable::display(l.asEntity()) + " does not have the attribute `" + e.name + '`');
        }
        if (l.isRecord()) {
            if (const Value *v = findField(l.asRecord(), e.name))
                return *v;
            raise("record does not have the attribute `" + e.name + '`');
        }
        raise(std::string("type error: attribute access expects an entity or a record, got ")
              + Value::kindName(l.kind()));
    }
    case Op::Like: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::String, "`like`");
        return Value(wildcardMatch(l.asString(), e.pattern));
    }
    case Op::Is: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Entity, "`is`");
        return Value(l.asEntity().type == e.type);
    }
    case Op::IsIn: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Entity, "`is`");
        if (l.asEntity().type != e.type)
            return Value(false);
        return Value(inValue(l.asEntity(), eval(*e.kids[1])));
    }
    case Op::SetLit: {
        std::vector<Value> values;
        values.reserve(e.kids.size());
        for (const auto &k : e.kids)
            values.push_back(eval(*k));
        return Value::set(std::move(values));
    }
    case Op::RecordLit: {
        Record fields;
        fields.reserve(e.kids.size());
        for (size_t i = 0; i < e.kids.size(); ++i)
            fields.emplace_back(e.keys[i], eval(*e.kids[i]));
        return Value::record(std::move(fields));
    }
    case Op::Contains: {
        const Value l = eval(*e.kids[0]);
        const auto &set = asSetFor(l, "`contains`");
        const Value r = eval(*e.kids[1]);
        return Value(std::binary_search(set.begin(), set.end(), r));
    }
    case Op::ContainsAll:
    case Op::ContainsAny: {
        const Value l = eval(*e.kids[0]);
        const auto &set = asSetFor(l, e.op == Op::ContainsAll ? "`containsAll`" : "`containsAny`");
        const Value r = eval(*e.kids[1]);
        const auto &other = asSetFor(r, e.op == Op::ContainsAll ? "`containsAll`" : "`containsAny`");
        if (e.op == Op::ContainsAll)
            return Value(std::includes(set.begin(), set.end(), other.begin(), other.end()));
        for (const Value &v : other)
            if (std::binary_search(set.begin(), set.end(), v))
                return Value(true);
        return Value(false);
    }
    case Op::IsEmpty: {
        const Value l = eval(*e.kids[0]);
        return Value(asSetFor(l, "`isEmpty`").empty());
    }
    case Op::GetTag:
    case Op::HasTag: {
        const Value l = eval(*e.kids[0]);
        expectKind(l, Kind::Entity, e.op == Op::GetTag ? "`getTag`" : "`hasTag`");
        const Value key = eval(*e.kids[1]);
        expectKind(key, Kind::String, e.op == Op::GetTag ? "`getTag`" : "`hasTag`");
        const Entity *entity = m_entities.find(l.asEntity());
        if (e.op == Op::HasTag)
            return Value(entity && findField(*entity->tags, key.asString()) != nullptr);
        if (!entity)
            raise(entityMissing(l.asEntity()));
        if (const Value *v = findField(*entity->tags, key.asString()))
            return *v;
        raise("entity " + UidTable::display(l.asEntity()) + " does not have the tag `" + key.asString() + '`');
    }
    case Op::Ext: return evalExt(e);
    }
    raise("internal error: unknown expression");
}

Value Evaluator::evalExt(const Expr &e) const
{
    if (e.badArity) {
        for (const auto &k : e.kids)
            eval(*k);
        raise("wrong number of arguments in a call to an extension function");
    }
    const Value a = eval(*e.kids[0]);
    auto str = [&](const char *fn) -> const std::string & {
        expectKind(a, Kind::String, fn);
        return a.asString();
    };
    auto arg = [&](Kind kind, const char *fn) {
        Value b = eval(*e.kids[1]);
        expectKind(b, kind, fn);
        return b;
    };
    switch (e.fn) {
    case ExtFn::Decimal:
        if (auto d = ext::parseDecimal(str("`decimal`")))
            return Value(*d);
        raise("invalid decimal literal \"" + a.asString() + '"');
    case ExtFn::Ip:
        if (auto d = ext::parseIp(str("`ip`")))
            return Value(*d);
        raise("invalid IP address \"" + a.asString() + '"');
    case ExtFn::DateTime:
        if (auto d = ext::parseDateTime(str("`datetime`")))
            return Value(*d);
        raise("invalid datetime \"" + a.asString() + '"');
    case ExtFn::Duration:
        if (auto d = ext::parseDuration(str("`duration`")))
            return Value(*d);
        raise("invalid duration \"" + a.asString() + '"');
    case ExtFn::LessThan:
    case ExtFn::LessThanOrEqual:
    case ExtFn::GreaterThan:
    case ExtFn::GreaterThanOrEqual: {
        expectKind(a, Kind::Decimal, "decimal comparison");
        const int64_t x = a.asDecimal().scaled;
        const int64_t y = arg(Kind::Decimal, "decimal comparison").asDecimal().scaled;
        switch (e.fn) {
        case ExtFn::LessThan: return Value(x < y);
        case ExtFn::LessThanOrEqual: return Value(x <= y);
        case ExtFn::GreaterThan: return Value(x > y);
        default: return Value(x >= y);
        }
    }
    case ExtFn::IsIpv4: expectKind(a, Kind::IpAddr, "`isIpv4`"); return Value(!a.asIp().v6);
    case ExtFn::IsIpv6: expectKind(a, Kind::IpAddr, "`isIpv6`"); return Value(a.asIp().v6);
    case ExtFn::IsLoopback: expectKind(a, Kind::IpAddr, "`isLoopback`"); return Value(ext::ipIsLoopback(a.asIp()));
    case ExtFn::IsMulticast:
        expectKind(a, Kind::IpAddr, "`isMulticast`");
        return Value(ext::ipIsMulticast(a.asIp()));
    case ExtFn::IsInRange:
        expectKind(a, Kind::IpAddr, "`isInRange`");
        return Value(ext::ipIsInRange(a.asIp(), arg(Kind::IpAddr, "`isInRange`").asIp()));
    case ExtFn::Offset: {
        expectKind(a, Kind::DateTime, "`offset`");
        const int64_t d = arg(Kind::Duration, "`offset`").asDuration().ms;
        int64_t out = 0;
        if (__builtin_add_overflow(a.asDateTime().ms, d, &out))
            raise("overflow in `offset`");
        return Value(DateTimeValue{out});
    }
    case ExtFn::DurationSince: {
        expectKind(a, Kind::DateTime, "`durationSince`");
        const int64_t other = arg(Kind::DateTime, "`durationSince`").asDateTime().ms;
        int64_t out = 0;
        if (__builtin_sub_overflow(a.asDateTime().ms, other, &out))
            raise("overflow in `durationSince`");
        return Value(DurationValue{out});
    }
    case ExtFn::ToDate:
    case ExtFn::ToTime: {
        expectKind(a, Kind::DateTime, e.fn == ExtFn::ToDate ? "`toDate`" : "`toTime`");
        constexpr int64_t day = 86'400'000;
        const int64_t ms = a.asDateTime().ms;
        int64_t rem = ms % day;
        if (rem < 0)
            rem += day;
        if (e.fn == ExtFn::ToTime)
            return Value(DurationValue{rem});
        int64_t out = 0;
        if (__builtin_sub_overflow(ms, rem, &out))
            raise("overflow in `toDate`");
        return Value(DateTimeValue{out});
    }
    case ExtFn::ToMilliseconds:
    case ExtFn::ToSeconds:
    case ExtFn::ToMinutes:
    case ExtFn::ToHours:
    case ExtFn::ToDays: {
        expectKind(a, Kind::Duration, "duration conversion");
        static const int64_t divisors[] = {1, 1000, 60'000, 3'600'000, 86'400'000};
        return Value(a.asDuration().ms / divisors[int(e.fn) - int(ExtFn::ToMilliseconds)]);
    }
    }
    raise("internal error: unknown extension function");
}

Value Evaluator::applyExtension(const std::string &name, const std::vector<Value> &args)
{
    static const std::pair<const char *, ExtFn> table[] = {
        {"decimal", ExtFn::Decimal}, {"ip", ExtFn::Ip}, {"datetime", ExtFn::DateTime},
        {"duration", ExtFn::Duration}, {"lessThan", ExtFn::LessThan}, {"lessThanOrEqual", ExtFn::LessThanOrEqual},
        {"greaterThan", ExtFn::GreaterThan}, {"greaterThanOrEqual", ExtFn::GreaterThanOrEqual},
        {"isIpv4", ExtFn::IsIpv4}, {"isIpv6", ExtFn::IsIpv6}, {"isLoopback", ExtFn::IsLoopback},
        {"isMulticast", ExtFn::IsMulticast}, {"isInRange", ExtFn::IsInRange}, {"offset", ExtFn::Offset},
        {"durationSince", ExtFn::DurationSince}, {"toDate", ExtFn::ToDate}, {"toTime", ExtFn::ToTime},
        {"toMilliseconds", ExtFn::ToMilliseconds}, {"toSeconds", ExtFn::ToSeconds}, {"toMinutes", ExtFn::ToMinutes},
        {"toHours", ExtFn::ToHours}, {"toDays", ExtFn::ToDays}};
    Expr call;
    call.op = Op::Ext;
    bool known = false;
    for (const auto &[n, fn] : table) {
        if (name == n) {
            call.fn = fn;
            known = true;
        }
    }
    if (!known)
        raise("unknown extension function `" + name + '`');
    for (const Value &a : args) {
        auto lit = std::make_unique<Expr>();
        lit->value = a;
        call.kids.push_back(std::move(lit));
    }
    const int arity = call.fn <= ExtFn::Duration ? 1
        : (call.fn >= ExtFn::IsIpv4 && call.fn <= ExtFn::IsMulticast) || call.fn == ExtFn::ToDate
            || call.fn == ExtFn::ToTime || call.fn >= ExtFn::ToMilliseconds
        ? 1
        : 2;
    call.badArity = int(args.size()) != arity;
    static const EntityStore noEntities;
    static const Request noRequest;
    return Evaluator(noEntities, noRequest).eval(call);
}

bool Evaluator::matchConstraint(const ScopeConstraint &c, EntityRef target) const
{
    switch (c.kind) {
    case ScopeConstraint::Kind::Any: return true;
    case ScopeConstraint::Kind::Eq: return target.uid == c.entity.uid;
    case ScopeConstraint::Kind::In: return m_entities.isDescendantOrSelf(target, c.entity);
    case ScopeConstraint::Kind::Is: return target.type == c.type;
    case ScopeConstraint::Kind::IsIn: return target.type == c.type && m_entities.isDescendantOrSelf(target, c.entity);
    case ScopeConstraint::Kind::InSet:
        for (const EntityRef e : c.entities)
            if (m_entities.isDescendantOrSelf(target, e))
                return true;
        return false;
    }
    return false;
}

bool Evaluator::scopeMatches(const Policy &p) const
{
    return matchConstraint(p.principal, m_request.principal) && matchConstraint(p.action, m_request.action)
        && matchConstraint(p.resource, m_request.resource);
}

bool Evaluator::satisfied(const Policy &p) const
{
    if (!scopeMatches(p))
        return false;
    for (const auto &c : p.conditions) {
        const Value v = eval(*c.expr);
        if (!v.isBool())
            raise(std::string("type error: a policy condition must be a boolean, got ") + Value::kindName(v.kind()));
        if (v.asBool() != c.when)
            return false;
    }
    return true;
}

} // namespace mandate::policy
