// SPDX-License-Identifier: Apache-2.0
#include "CedarCaseGenerator.h"

#include <QJsonDocument>

namespace mandate::policy::test {

namespace {

const char *const kTypes[] = {"User", "Group", "Doc", "App::Folder"};
const char *const kIds[] = {"a", "b", "c", "", "q\"x"};
const char *const kKeys[] = {"n", "s", "b", "set", "owner", "rec", "ip", "d", "when"};
const char *const kStrings[] = {"", "a", "abc", "a*c", "hello world", "\u00e9t\u00e9", "x\\\"y"};
const char *const kPatterns[] = {"*", "a*", "*c", "a\\*c", "a*c", "", "h*o w*", "\u00e9*"};
const char *const kTags[] = {"t1", "t2", "missing"};

std::string quote(const std::string &s)
{
    return '"' + s + '"';
}

} // namespace

std::string GenNode::render() const
{
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '$' && i + 1 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
            out += '(' + kids[size_t(pattern[i + 1] - '0')].render() + ')';
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

size_t GenNode::size() const
{
    size_t n = 1;
    for (const auto &k : kids)
        n += k.size();
    return n;
}

std::string GenCase::policyText() const
{
    std::string out;
    for (const auto &p : policies) {
        out += p.permit ? "permit(" : "forbid(";
        out += p.principal + ", " + p.action + ", " + p.resource + ")";
        for (const auto &c : p.conditions)
            out += std::string(c.when ? " when { " : " unless { ") + c.expr.render() + " }";
        out += ";\n";
    }
    return out;
}

QByteArray GenCase::toJsonLine() const
{
    QJsonObject o;
    o.insert(QStringLiteral("policies"), QString::fromStdString(policyText()));
    o.insert(QStringLiteral("entities"), entities);
    o.insert(QStringLiteral("principal"), principal);
    o.insert(QStringLiteral("action"), action);
    o.insert(QStringLiteral("resource"), resource);
    o.insert(QStringLiteral("context"), context);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

namespace {

// Every way to replace one node of `node` with a smaller one.
void nodeVariants(const GenNode &node, std::vector<GenNode> &out)
{
    for (const auto &k : node.kids)
        out.push_back(k);
    if (!node.kids.empty() || node.pattern != "true")
        out.push_back(GenNode{"true", {}});
    for (size_t i = 0; i < node.kids.size(); ++i) {
        std::vector<GenNode> sub;
        nodeVariants(node.kids[i], sub);
        for (auto &s : sub) {
            GenNode copy = node;
            copy.kids[i] = std::move(s);
            out.push_back(std::move(copy));
        }
    }
}

} // namespace

std::vector<GenCase> GenCase::shrinkCandidates() const
{
    std::vector<GenCase> out;
    for (size_t i = 0; i < policies.size(); ++i) {
        GenCase c = *this;
        c.policies.erase(c.policies.begin() + long(i));
        out.push_back(std::move(c));
    }
    for (size_t i = 0; i < policies.size(); ++i) {
        for (size_t j = 0; j < policies[i].conditions.size(); ++j) {
            GenCase c = *this;
            c.policies[i].conditions.erase(c.policies[i].conditions.begin() + long(j));
            out.push_back(std::move(c));
        }
        for (const char *field : {"principal", "action", "resource"}) {
            GenCase c = *this;
            std::string &s = field[0] == 'p' ? c.policies[i].principal : field[0] == 'a' ? c.policies[i].action
                                                                                         : c.policies[i].resource;
            if (s != field) {
                s = field;
                out.push_back(std::move(c));
            }
        }
    }
    for (qsizetype i = 0; i < entities.size(); ++i) {
        GenCase c = *this;
        c.entities.removeAt(i);
        out.push_back(std::move(c));
    }
    for (const QString &key : context.keys()) {
        GenCase c = *this;
        c.context.remove(key);
        out.push_back(std::move(c));
    }
    for (size_t i = 0; i < policies.size(); ++i) {
        for (size_t j = 0; j < policies[i].conditions.size(); ++j) {
            std::vector<GenNode> variants;
            nodeVariants(policies[i].conditions[j].expr, variants);
            for (auto &v : variants) {
                GenCase c = *this;
                c.policies[i].conditions[j].expr = std::move(v);
                out.push_back(std::move(c));
            }
        }
    }
    return out;
}

QJsonObject CedarCaseGenerator::uid(const char *type, const std::string &id) const
{
    return QJsonObject{{QStringLiteral("type"), QString::fromUtf8(type)}, {QStringLiteral("id"), QString::fromStdString(id)}};
}

std::string CedarCaseGenerator::entityLiteral()
{
    std::string id = kIds[pick(5)];
    std::string escaped;
    for (const char c : id)
        escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
    return std::string(kTypes[pick(4)]) + "::\"" + escaped + '"';
}

QJsonValue CedarCaseGenerator::dataValue(int depth)
{
    switch (pick(depth > 1 ? 6 : 9)) {
    case 0: return QJsonValue(qint64(pick(11) - 5));
    case 1: return QString::fromUtf8(kStrings[pick(6)]);
    case 2: return chance(50);
    case 3: return QJsonObject{{QStringLiteral("__entity"), uid(kTypes[pick(4)], kIds[pick(5)])}};
    case 4: {
        static const char *const exts[][2] = {{"decimal", "1.5"}, {"ip", "10.0.0.1"}, {"ip", "192.168.0.0/16"},
                                              {"datetime", "2024-01-01T10:00:00Z"}, {"duration", "90m"},
                                              {"decimal", "-0.25"}};
        const auto &e = exts[pick(6)];
        return QJsonObject{{QStringLiteral("__extn"),
                            QJsonObject{{QStringLiteral("fn"), QString::fromUtf8(e[0])},
                                        {QStringLiteral("arg"), QString::fromUtf8(e[1])}}}};
    }
    case 5: return QJsonValue(qint64(4503599627370496) * (chance(50) ? 1 : -1)); // 2^52
    case 6: {
        QJsonArray a;
        for (int i = pick(4); i > 0; --i)
            a.append(dataValue(depth + 1));
        return a;
    }
    default: {
        QJsonObject o;
        for (int i = pick(4); i > 0; --i)
            o.insert(QString::fromUtf8(kKeys[pick(9)]), dataValue(depth + 1));
        return o;
    }
    }
}

GenNode CedarCaseGenerator::leaf(Ty type)
{
    switch (type) {
    case Ty::Bool: {
        // Corners of the grammar, some of which both engines must reject.
        static const char *const syntax[] = {
            "!!!!true", "!!!!!true", "--1 == 1", "- -1 == 1", "1 < 2 < 3", "9223372036854775808 == 0",
            "-9223372036854775808 == -9223372036854775807 - 1", "principal has n.n", "context has rec.n",
            "context has \"k 2\"", "[1, 2, 3] == [3, 2, 1]", "{\"a b\": 1}[\"a b\"] == 1",
            "if true then 1 else 2 == 1", "ip(\"1.2.3.4\").isLoopback(1)", "decimal(\"1.0\", \"2.0\")",
            "principal.foo()", "foo(1)", "App::Folder::\"a\" is App::Folder", "\"\\u{1F600}\" like \"*\"",
            "\"a\\*b\" like \"a\\*b\"", "\"\\q\" == \"q\"", "{a: 1, a: 2} == {}", "[].contains()",
            "principal in []", "principal is User in [Group::\"a\"]", "context.n.m", "action in Action::\"all\"",
            "true && 1 == 1 || false", "(true)", "if (1 == 1) then true else 1", "principal.getTag(1)",
            "principal == Action::\"view\"", "-(9223372036854775807) - 2 < 0", "3 * -3 == -9",
            "User::\"\\0\" == User::\"\\u{0}\"", "[[1], [1]] == [[1]]", "{} == {}", "resource has when"};
        if (chance(10))
            return {syntax[pick(int(std::size(syntax)))], {}};
        return {chance(50) ? "true" : "false", {}};
    }
    case Ty::Long: {
        static const char *const big[] = {"9223372036854775807", "-9223372036854775808", "4611686018427387904"};
        if (chance(8))
            return {big[pick(3)], {}};
        return {std::to_string(pick(21) - 10), {}};
    }
    case Ty::String: return {quote(kStrings[pick(7)]), {}};
    case Ty::Entity: {
        static const char *const vars[] = {"principal", "resource", "action"};
        if (chance(50))
            return {vars[pick(3)], {}};
        return {entityLiteral(), {}};
    }
    case Ty::Set: return {"[]", {}};
    case Ty::Record: return {chance(70) ? "context" : "{}", {}};
    case Ty::Ext: {
        static const char *const exts[] = {"decimal(\"1.5\")", "decimal(\"-2.0001\")", "ip(\"10.0.0.1\")",
                                           "ip(\"10.0.0.0/8\")", "ip(\"::1\")", "ip(\"224.1.2.3\")",
                                           "datetime(\"2024-01-01\")", "datetime(\"1969-12-31T23:00:00.5Z\")",
                                           "duration(\"1h30m\")", "duration(\"-2d\")", "decimal(\"bad\")",
                                           // edge cases of the constructors' grammars
                                           "ip(\"01.2.3.4\")", "ip(\"1.2.3.4/024\")", "ip(\"::ffff:1.2.3.4\")",
                                           "ip(\"1:2:3:4:5:6:7:8/64\")", "ip(\"127.0.0.1/7\")", "ip(\"ff00::/7\")",
                                           "decimal(\"1.23456\")", "decimal(\"-0.0\")", "decimal(\"922337203685477.5808\")",
                                           "datetime(\"2024-02-30\")", "datetime(\"2024-01-01T00:00:00+2359\")",
                                           "datetime(\"2024-01-01T10:00:00.123-0130\")", "datetime(\"0000-01-01\")",
                                           "duration(\"1d1d\")", "duration(\"-0ms\")", "duration(\"1m1ms\")",
                                           "duration(\"9223372036854775807ms\")"};
        return {exts[pick(int(std::size(exts)))], {}};
    }
    case Ty::Any: break;
    }
    return leaf(Ty(pick(7)));
}

GenNode CedarCaseGenerator::gen(Ty type, int depth)
{
    if (type == Ty::Any || chance(5))
        type = Ty(pick(7));
    if (depth <= 0 || chance(25))
        return leaf(type);
    const int d = depth - 1;
    auto attr = [&](Ty base) {
        return GenNode{"$0." + std::string(kKeys[pick(9)]), {gen(base, d)}};
    };
    switch (type) {
    case Ty::Bool:
        switch (pick(22)) {
        case 0: return {"!$0", {gen(Ty::Bool, d)}};
        case 1: return {"$0 && $1", {gen(Ty::Bool, d), gen(Ty::Bool, d)}};
        case 2: return {"$0 || $1", {gen(Ty::Bool, d), gen(Ty::Bool, d)}};
        case 3: { Ty t = Ty(pick(7)); return {"$0 == $1", {gen(t, d), gen(t, d)}}; }
        case 4: return {"$0 != $1", {gen(Ty::Long, d), gen(Ty::Long, d)}};
        case 5: { static const char *const ops[] = {"<", "<=", ">", ">="};
                  Ty t = chance(70) ? Ty::Long : Ty::Ext;
                  return {std::string("$0 ") + ops[pick(4)] + " $1", {gen(t, d), gen(t, d)}}; }
        case 6: return {"$0 in $1", {gen(Ty::Entity, d), chance(70) ? gen(Ty::Entity, d) : GenNode{"[$0, $1]", {gen(Ty::Entity, d), gen(Ty::Entity, d)}}}};
        case 7: return {"$0 has " + std::string(kKeys[pick(9)]), {gen(chance(60) ? Ty::Entity : Ty::Record, d)}};
        case 8: return {"$0 like \"" + std::string(kPatterns[pick(8)]) + '"', {gen(Ty::String, d)}};
        case 9: return {"$0 is " + std::string(kTypes[pick(4)]), {gen(Ty::Entity, d)}};
        case 10: return {"$0 is " + std::string(kTypes[pick(4)]) + " in $1", {gen(Ty::Entity, d), gen(Ty::Entity, d)}};
        case 11: return {"$0.contains($1)", {gen(Ty::Set, d), gen(Ty::Any, d)}};
        case 12: return {chance(50) ? "$0.containsAll($1)" : "$0.containsAny($1)", {gen(Ty::Set, d), gen(Ty::Set, d)}};
        case 13: return {"$0.isEmpty()", {gen(Ty::Set, d)}};
        case 14: return {"$0.hasTag(\"" + std::string(kTags[pick(3)]) + "\")", {gen(Ty::Entity, d)}};
        case 15: { static const char *const m[] = {"lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"};
                   return {"$0." + std::string(m[pick(4)]) + "($1)", {gen(Ty::Ext, d), gen(Ty::Ext, d)}}; }
        case 16: { static const char *const m[] = {"isIpv4", "isIpv6", "isLoopback", "isMulticast"};
                   return {"$0." + std::string(m[pick(4)]) + "()", {gen(Ty::Ext, d)}}; }
        case 17: return {"$0.isInRange($1)", {gen(Ty::Ext, d), gen(Ty::Ext, d)}};
        case 18: return {"if $0 then $1 else $2", {gen(Ty::Bool, d), gen(Ty::Bool, d), gen(Ty::Bool, d)}};
        case 19: return attr(Ty::Entity);
        case 20: return {"$0.getTag(\"" + std::string(kTags[pick(3)]) + "\")", {gen(Ty::Entity, d)}};
        default: return {"$0 == $1", {gen(Ty::Entity, d), gen(Ty::Entity, d)}};
        }
    case Ty::Long:
        switch (pick(7)) {
        case 0: return {"$0 + $1", {gen(Ty::Long, d), gen(Ty::Long, d)}};
        case 1: return {"$0 - $1", {gen(Ty::Long, d), gen(Ty::Long, d)}};
        case 2: return {"$0 * $1", {gen(Ty::Long, d), gen(Ty::Long, d)}};
        case 3: return {"-$0", {gen(Ty::Long, d)}};
        case 4: { static const char *const m[] = {"toMilliseconds", "toSeconds", "toMinutes", "toHours", "toDays"};
                  return {"$0." + std::string(m[pick(5)]) + "()", {gen(Ty::Ext, d)}}; }
        case 5: return {"if $0 then $1 else $2", {gen(Ty::Bool, d), gen(Ty::Long, d), gen(Ty::Long, d)}};
        default: return attr(chance(50) ? Ty::Entity : Ty::Record);
        }
    case Ty::String:
        return chance(50) ? attr(Ty::Entity) : GenNode{"$0[\"" + std::string(kKeys[pick(9)]) + "\"]", {gen(Ty::Record, d)}};
    case Ty::Entity: return chance(50) ? attr(Ty::Entity) : leaf(Ty::Entity);
    case Ty::Set:
        switch (pick(3)) {
        case 0: return {"[$0, $1]", {gen(Ty::Long, d), gen(Ty::Any, d)}};
        case 1: return {"[$0]", {gen(Ty::Entity, d)}};
        default: return attr(chance(50) ? Ty::Entity : Ty::Record);
        }
    case Ty::Record:
        switch (pick(3)) {
        case 0: return {"{" + std::string(kKeys[pick(9)]) + ": $0, \"k 2\": $1}", {gen(Ty::Any, d), gen(Ty::Any, d)}};
        case 1: return attr(Ty::Entity);
        default: return leaf(Ty::Record);
        }
    case Ty::Ext:
        switch (pick(6)) {
        case 0: return {"$0.offset($1)", {gen(Ty::Ext, d), gen(Ty::Ext, d)}};
        case 1: return {"$0.durationSince($1)", {gen(Ty::Ext, d), gen(Ty::Ext, d)}};
        case 2: return {chance(50) ? "$0.toDate()" : "$0.toTime()", {gen(Ty::Ext, d)}};
        case 3: return attr(Ty::Entity);
        default: return leaf(Ty::Ext);
        }
    case Ty::Any: break;
    }
    return leaf(type);
}

std::string CedarCaseGenerator::scope(const char *var)
{
    const std::string v(var);
    if (v == "action") {
        switch (pick(4)) {
        case 0: return "action == Action::\"view\"";
        case 1: return "action in Action::\"all\"";
        case 2: return "action in [Action::\"edit\", Action::\"view\"]";
        default: return "action";
        }
    }
    switch (pick(6)) {
    case 0: return v + " == " + entityLiteral();
    case 1: return v + " in " + entityLiteral();
    case 2: return v + " is " + kTypes[pick(4)];
    case 3: return v + " is " + kTypes[pick(4)] + " in " + entityLiteral();
    default: return v;
    }
}

GenCase CedarCaseGenerator::next()
{
    GenCase c;
    // Entities: a hierarchy without cycles (parents come later in a fixed order).
    std::vector<std::pair<const char *, std::string>> all;
    for (const char *t : kTypes)
        for (const char *id : kIds)
            all.emplace_back(t, id);
    for (size_t i = 0; i < all.size(); ++i) {
        if (!chance(60))
            continue;
        QJsonObject e;
        e.insert(QStringLiteral("uid"), uid(all[i].first, all[i].second));
        QJsonObject attrs;
        for (int k = pick(5); k > 0; --k)
            attrs.insert(QString::fromUtf8(kKeys[pick(9)]), dataValue(0));
        e.insert(QStringLiteral("attrs"), attrs);
        QJsonArray parents;
        for (int k = pick(3); k > 0; --k) {
            const size_t j = i + 1 + size_t(pick(int(all.size())));
            if (j < all.size())
                parents.append(uid(all[j].first, all[j].second));
        }
        e.insert(QStringLiteral("parents"), parents);
        if (chance(30)) {
            QJsonObject tags;
            tags.insert(QString::fromUtf8(kTags[pick(2)]), dataValue(1));
            e.insert(QStringLiteral("tags"), tags);
        }
        c.entities.append(e);
    }
    for (const char *a : {"view", "edit"}) {
        QJsonObject e;
        e.insert(QStringLiteral("uid"), uid("Action", a));
        e.insert(QStringLiteral("attrs"), QJsonObject());
        e.insert(QStringLiteral("parents"), QJsonArray{uid("Action", "all")});
        c.entities.append(e);
    }
    for (int k = pick(5); k > 0; --k)
        c.context.insert(QString::fromUtf8(kKeys[pick(9)]), dataValue(0));
    c.principal = uid(kTypes[pick(4)], kIds[pick(5)]);
    c.action = uid("Action", chance(50) ? "view" : "edit");
    c.resource = uid(kTypes[pick(4)], kIds[pick(5)]);
    for (int n = 1 + pick(4); n > 0; --n) {
        GenCase::GenPolicy p;
        p.permit = chance(65);
        p.principal = scope("principal");
        p.action = scope("action");
        p.resource = scope("resource");
        for (int k = pick(3); k > 0; --k)
            p.conditions.push_back({chance(75), gen(Ty::Bool, 1 + pick(4))});
        c.policies.push_back(std::move(p));
    }
    return c;
}

} // namespace mandate::policy::test
