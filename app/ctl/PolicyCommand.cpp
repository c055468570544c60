// SPDX-License-Identifier: Apache-2.0
// `mandatectl policy check|authorize|conformance`: the Cedar engine from the command line.
#include "CommandRegistry.h"

#include "policy/Authorizer.h"
#include "policy/ConformanceRunner.h"
#include "policy/JsonFormats.h"
#include "policy/Parser.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"

#include <QFile>

#include <optional>

using namespace mandate;
using namespace mandate::ctl;
using namespace mandate::policy;

namespace {

void usage(QTextStream &s)
{
    s << "Usage: mandatectl policy <command>\n\n"
         "  check FILE... [--schema F] [--entities F]\n"
         "                                 parse policies (and the schema, and the entities with it);\n"
         "                                 errors as file:line:col: message\n"
         "  authorize --policies F --entities F [--schema F] --principal E --action E --resource E\n"
         "            [--context F]        decide one request (E is Type::\"id\"); exit 0 allow, 1 deny\n"
         "  conformance ROOT TEST.json...  run Cedar integration tests; prints mismatches and a summary\n"
         "\n"
         "Exit codes: check: 0 valid, 1 a file does not parse or validate; authorize: 0 allow, 1 deny;\n"
         "conformance: 0 every case agrees, 1 a mismatch; all: 2 usage error or a file that cannot be read.\n";
}

std::optional<QByteArray> readFile(const QString &path, QTextStream &err)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        err << "mandatectl: cannot read " << path << ": " << file.errorString() << '\n';
        return std::nullopt;
    }
    return file.readAll();
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), size_t(bytes.size()));
}

// Parses `Type::"id"` using the policy expression grammar.
std::optional<EntityRef> parseEntityArg(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    Parser parser(view(utf8));
    auto expr = parser.parseExpression();
    if (!expr || expr.value()->op != Expr::Op::Literal || !expr.value()->value.isEntity())
        return std::nullopt;
    return expr.value()->value.asEntity();
}

// Reads "--name value" options; positional arguments are returned in `positional`.
bool parseOptions(const QStringList &args, const QStringList &known, QMap<QString, QString> &options,
                  QStringList &positional, QTextStream &err)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a.startsWith(QLatin1String("--"))) {
            const QString name = a.mid(2);
            if (!known.contains(name) || i + 1 >= args.size() || !isOptionValue(args.at(i + 1))) {
                err << "mandatectl policy: " << (known.contains(name) ? "missing value for " : "unknown option ") << a
                    << '\n';
                return false;
            }
            options.insert(name, args.at(++i));
        } else {
            positional << a;
        }
    }
    return true;
}

/// The schema at `path` (none when empty). On failure `failure` is the exit code: UsageError
/// for a file that cannot be read, Failed for one that does not parse.
std::optional<Schema> loadSchema(const QString &path, QTextStream &err, int &failure)
{
    failure = Ok;
    if (path.isEmpty())
        return std::nullopt;
    const auto text = readFile(path, err);
    if (!text) {
        failure = UsageError;
        return std::nullopt;
    }
    auto schema = Schema::parse(*text);
    if (!schema) {
        err << path << ':' << (schema.error().path.isEmpty() ? QString() : schema.error().path + QLatin1Char(':')) << ' '
            << schema.error().message << '\n';
        failure = Failed;
        return std::nullopt;
    }
    return std::move(schema.value());
}

int check(const QStringList &args, Invocation &inv)
{
    QMap<QString, QString> options;
    QStringList files;
    if (!parseOptions(args, {QStringLiteral("schema"), QStringLiteral("entities")}, options, files, inv.err)
        || (files.isEmpty() && !options.contains(QStringLiteral("entities")))) {
        usage(inv.err);
        return UsageError;
    }
    int schemaFailure = Ok;
    const auto schema = loadSchema(options.value(QStringLiteral("schema")), inv.err, schemaFailure);
    if (schemaFailure == UsageError)
        return UsageError;  // as an unreadable policy file
    int result = schemaFailure;
    for (const QString &file : files) {
        const auto text = readFile(file, inv.err);
        if (!text)
            return UsageError;
        auto set = PolicySet::parseStatic(view(*text));
        if (!set) {
            inv.err << file << ':' << set.error().path << ": " << set.error().message << '\n';
            result = Failed;
            continue;
        }
        int problems = 0;
        if (schema) {
            for (const auto *list : {&set->policies(), &set->templates()}) {
                for (const Policy &p : *list) {
                    for (const QString &problem : schema->checkPolicyScope(p)) {
                        inv.err << file << ':' << p.line << ':' << p.column << ": " << p.id << ": " << problem << '\n';
                        ++problems;
                    }
                }
            }
        }
        if (problems)
            result = Failed;
        else
            inv.out << file << ": " << set->policies().size() << " policies, " << set->templates().size()
                    << " templates\n";
    }
    if (options.contains(QStringLiteral("entities"))) {
        const QString file = options.value(QStringLiteral("entities"));
        const auto text = readFile(file, inv.err);
        if (!text)
            return UsageError;
        const auto json = JsonFormats::read(*text);
        auto entities = json ? JsonFormats::entities(json.value(), schema ? &*schema : nullptr)
                             : Result<EntityStore>(json.error());
        if (!entities) {
            inv.err << file << ':' << (entities.error().path.isEmpty() ? QString() : entities.error().path + QLatin1Char(':'))
                    << ' ' << entities.error().message << '\n';
            result = Failed;
        } else {
            inv.out << file << ": " << entities->size() << " entities\n";
        }
    }
    return result;
}

int authorize(const QStringList &args, Invocation &inv)
{
    QMap<QString, QString> options;
    QStringList rest;
    const QStringList known{QStringLiteral("policies"), QStringLiteral("entities"), QStringLiteral("schema"),
                            QStringLiteral("principal"), QStringLiteral("action"), QStringLiteral("resource"),
                            QStringLiteral("context")};
    if (!parseOptions(args, known, options, rest, inv.err) || !rest.isEmpty()) {
        usage(inv.err);
        return UsageError;
    }
    for (const char *required : {"policies", "entities", "principal", "action", "resource"}) {
        if (!options.contains(QLatin1String(required))) {
            inv.err << "mandatectl policy authorize: --" << required << " is required\n";
            return UsageError;
        }
    }
    int schemaFailure = Ok;
    const auto schema = loadSchema(options.value(QStringLiteral("schema")), inv.err, schemaFailure);
    if (schemaFailure != Ok)
        return UsageError;  // authorize decides; its inputs failing is a usage error
    const auto policyText = readFile(options.value(QStringLiteral("policies")), inv.err);
    if (!policyText)
        return UsageError;
    auto policies = PolicySet::parseStatic(view(*policyText));
    if (!policies) {
        inv.err << options.value(QStringLiteral("policies")) << ':' << policies.error().path << ": "
                << policies.error().message << '\n';
        return UsageError;
    }
    const auto entityText = readFile(options.value(QStringLiteral("entities")), inv.err);
    if (!entityText)
        return UsageError;
    const auto entityJson = JsonFormats::read(*entityText);
    auto entities = entityJson ? JsonFormats::entities(entityJson.value(), schema ? &*schema : nullptr)
                               : Result<EntityStore>(entityJson.error());
    if (!entities) {
        inv.err << options.value(QStringLiteral("entities")) << ": " << entities.error().toString() << '\n';
        return UsageError;
    }
    Request request;
    const char *slotNames[] = {"principal", "action", "resource"};
    EntityRef *targets[] = {&request.principal, &request.action, &request.resource};
    for (int i = 0; i < 3; ++i) {
        const auto ref = parseEntityArg(options.value(QLatin1String(slotNames[i])));
        if (!ref) {
            inv.err << "mandatectl policy authorize: --" << slotNames[i] << " must be an entity like Type::\"id\"\n";
            return UsageError;
        }
        *targets[i] = *ref;
    }
    QJsonValue contextJson;
    if (options.contains(QStringLiteral("context"))) {
        const auto text = readFile(options.value(QStringLiteral("context")), inv.err);
        if (!text)
            return UsageError;
        const auto parsed = JsonFormats::read(*text);
        if (!parsed) {
            inv.err << options.value(QStringLiteral("context")) << ": " << parsed.error().toString() << '\n';
            return UsageError;
        }
        contextJson = parsed.value();
    }
    const auto context = JsonFormats::context(contextJson, schema ? &*schema : nullptr, request.action);
    if (!context) {
        inv.err << "context: " << context.error().toString() << '\n';
        return UsageError;
    }
    request.context = context.value();
    if (schema) {
        if (const Status s = schema->validateRequest(request); !s) {
            inv.err << "request is not valid for the schema: " << s.error().message << '\n';
            return UsageError;
        }
    }
    const Decision d = Authorizer::isAuthorized(policies.value(), entities.value(), request);
    inv.out << (d.allowed ? "ALLOW" : "DENY") << '\n';
    if (!d.reasons.empty()) {
        inv.out << "\nsatisfied policies:\n";
        for (const Policy *p : d.reasons) {
            const QString at = p->annotation(QStringLiteral("id"));
            inv.out << "  " << p->id << (at.isEmpty() ? QString() : QStringLiteral(" (@id \"%1\")").arg(at)) << '\n';
        }
    }
    if (!d.errors.empty()) {
        inv.out << "\nerrors:\n";
        for (const QString &e : d.errorMessages())
            inv.out << "  " << e << '\n';
    }
    return d.allowed ? Ok : Failed;
}

int conformance(const QStringList &args, Invocation &inv)
{
    if (args.size() < 2) {
        usage(inv.err);
        return UsageError;
    }
    const ConformanceRunner runner(args.first());
    ConformanceRunner::Report report;
    for (const QString &test : args.mid(1))
        runner.run(test, report);
    for (const auto &m : report.mismatches)
        inv.out << "MISMATCH " << m.test << " / " << m.request << "\n  expected: " << m.expected
                << "\n  got:      " << m.got << '\n';
    inv.out << report.passed << " passed, " << report.failed << " failed\n";
    return report.failed == 0 ? Ok : Failed;
}

int run(Invocation &inv)
{
    QStringList args = inv.args;
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        usage(args.isEmpty() ? inv.err : inv.out);
        return args.isEmpty() ? UsageError : Ok;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("check"))
        return check(args, inv);
    if (command == QLatin1String("authorize"))
        return authorize(args, inv);
    if (command == QLatin1String("conformance"))
        return conformance(args, inv);
    inv.err << "mandatectl policy: unknown command '" << command << "'\n";
    usage(inv.err);
    return UsageError;
}

const CommandRegistration registration(QStringLiteral("policy"),
                                       {QStringLiteral("check policies, decide requests, run Cedar conformance tests"), run});

} // namespace
