// SPDX-License-Identifier: Apache-2.0
// mandatectl simulate: replays recorded decisions under a candidate policy set and prints what
// changes, for the CI pipelines of policy repositories. Locally from a gateway's database, or
// server-side through a gateway's POST /v1/simulate.
#include "CommandRegistry.h"
#include "GatewayCall.h"

#include "simulate/RecordedTraffic.h"
#include "simulate/Replay.h"
#include "store/Database.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace mandate::ctl {

namespace {

/// Exit code when some recorded decision would change: a CI job fails on it, or reviews it.
constexpr int kChanges = 3;
/// Exit code when none of the decisions replayed changes but some of the window was not
/// replayed (past the per-request bound, or no longer fitting the schema): not a "no change".
constexpr int kIncomplete = 4;

const char *const usage =
    "Usage: mandatectl simulate --policies FILE [window] (--data-dir DIR | --db FILE | --gateway URL)\n"
    "\n"
    "Re-decides the recorded decisions of a gateway under the candidate policy set in FILE and\n"
    "prints how many are unchanged, newly denied and newly allowed, by agent, tool, action and\n"
    "determining policy, and each changed decision with both explanations.\n"
    "\n"
    "Window (all optional, ANDed):\n"
    "  --since T | DURATION   from time T (RFC 3339) or this long ago (30m, 24h, 7d, 2w)\n"
    "  --until T | DURATION   up to (excluding) T or this long ago\n"
    "  --agent A  --tool T  --human H  --action A  --execution E  --gateway-id G\n"
    "\n"
    "Where the records are:\n"
    "  --data-dir DIR         the gateway's data directory (its mandate.db), replayed locally\n"
    "  --db FILE              a database file instead of --data-dir\n"
    "  --schema FILE          the Cedar schema for local replays (default: the gateway's built-in)\n"
    "  --gateway URL          replay on that gateway (POST /v1/simulate, role analyst or admin);\n"
    "                         the API key is read from --api-key-file F or MANDATE_API_KEY\n"
    "                         (a gateway replays at most 1,000,000 records per request)\n"
    "\n"
    "Output:\n"
    "  --json                 the summary as JSON\n"
    "  --max-changes N        changed decisions to print (default 20; 0 for none)\n"
    "  --bucket SECONDS       timeline resolution of the JSON summary (default 3600)\n"
    "\n"
    "Exit codes: 0 no decision changes, 3 some decisions change, 4 none of those replayed changes\n"
    "but not every recorded decision of the window was replayed, 1 error (the candidate does not\n"
    "parse, the store or the gateway failed), 2 usage error.\n";

int fail(QTextStream &err, const Error &error, int code = Failed)
{
    err << "mandatectl: " << error.toString() << '\n';
    for (const Error &detail : error.details)
        err << "  " << detail.toString() << '\n';
    return code;
}

/// RFC 3339, or a duration before now ("90s", "30m", "24h", "7d", "2w").
Result<QDateTime> pointInTime(const QString &text, const QString &option)
{
    static const QRegularExpression duration(QStringLiteral("^(\\d{1,9})([smhdw])$"));
    if (const QRegularExpressionMatch match = duration.match(text); match.hasMatch()) {
        static const QHash<QString, qint64> seconds{{QStringLiteral("s"), 1}, {QStringLiteral("m"), 60}, {QStringLiteral("h"), 3600},
                                                    {QStringLiteral("d"), 86400}, {QStringLiteral("w"), 7 * 86400}};
        return QDateTime::currentDateTimeUtc().addSecs(-match.captured(1).toLongLong() * seconds.value(match.captured(2)));
    }
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return Error{QStringLiteral("invalid"), QStringLiteral("%1 must be an RFC 3339 time or a duration like 24h").arg(option)};
    return time.toUTC();
}

struct Request
{
    QString policies;
    QJsonObject filter;        ///< as POST /v1/simulate takes it
    audit::AuditFilter auditFilter;
    qint64 bucketSeconds = 3600;
};

/// The window options, both as the API's filter object and as an AuditFilter.
Result<Request> takeRequest(QStringList &args, bool &missing)
{
    Request request;
    const QString policiesPath = takeOption(args, QStringLiteral("--policies"), missing);
    if (policiesPath.isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("simulate needs --policies FILE")};
    QFile file(policiesPath);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(policiesPath, file.errorString())};
    request.policies = QString::fromUtf8(file.readAll());

    for (const auto &[option, slot] : {std::pair{"--since", &request.auditFilter.from}, std::pair{"--until", &request.auditFilter.to}}) {
        const QString text = takeOption(args, QLatin1String(option), missing);
        if (text.isEmpty())
            continue;
        Result<QDateTime> time = pointInTime(text, QLatin1String(option));
        if (!time)
            return time.error();
        *slot = time.value();
        request.filter.insert(slot == &request.auditFilter.from ? QStringLiteral("from") : QStringLiteral("to"),
                              time->toString(Qt::ISODateWithMs));
    }
    const std::pair<const char *, QString *> strings[] = {
        {"agent", &request.auditFilter.agent}, {"tool", &request.auditFilter.tool}, {"human", &request.auditFilter.human},
        {"action", &request.auditFilter.action}, {"execution", &request.auditFilter.execution},
        {"gateway-id", &request.auditFilter.gatewayId}};
    for (const auto &[name, slot] : strings) {
        *slot = takeOption(args, QStringLiteral("--") + QLatin1String(name), missing);
        const QString option = QLatin1String(name);
        if (!slot->isEmpty())
            request.filter.insert(option == QLatin1String("gateway-id") ? QStringLiteral("gateway") : option, *slot);
    }
    if (const QString bucket = takeOption(args, QStringLiteral("--bucket"), missing); !bucket.isEmpty()) {
        bool ok = false;
        request.bucketSeconds = bucket.toLongLong(&ok);
        if (!ok || request.bucketSeconds < 1)
            return Error{QStringLiteral("usage"), QStringLiteral("--bucket must be a number of seconds")};
    }
    return request;
}

Result<std::shared_ptr<const policy::Schema>> loadSchema(const QString &path)
{
    QFile file(path.isEmpty() ? QStringLiteral(":/mandate/schema/mandate.cedarschema") : path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read the schema %1: %2").arg(file.fileName(), file.errorString())};
    Result<policy::Schema> schema = policy::Schema::parse(file.readAll());
    if (!schema)
        return Error{QStringLiteral("invalid"), file.fileName() + QStringLiteral(": ") + schema.error().toString()};
    return std::make_shared<const policy::Schema>(std::move(schema).value());
}

/// The summary JSON the gateway would answer, computed here from the database.
Result<QJsonObject> replayLocally(const QString &dbPath, const QString &schemaPath, const Request &request)
{
    Result<std::shared_ptr<const policy::Schema>> schema = loadSchema(schemaPath);
    if (!schema)
        return schema.error();
    Result<simulate::Replayer> replayer = simulate::Replayer::create(request.policies, schema.value());
    if (!replayer)
        return replayer.error();
    auto database = store::Database::openReadOnly(dbPath);
    if (!database)
        return database.error();
    simulate::ReplaySummary summary;
    const simulate::ReplayOptions options{request.bucketSeconds, 0};
    Result<simulate::RecordedTraffic::Totals> totals = simulate::RecordedTraffic(*database.value()).read(
        request.auditFilter, [&](std::vector<simulate::RecordedRequest> &&batch) {
            replayer->replay(batch, summary, options);
            return true;
        });
    if (!totals)
        return totals.error();
    summary.bucketSeconds = request.bucketSeconds;
    QJsonObject answer = summary.toJson();
    answer.insert(QStringLiteral("records_read"), totals->read);
    answer.insert(QStringLiteral("not_replayable"), totals->notReplayable);
    answer.insert(QStringLiteral("truncated"), totals->truncated);
    return answer;
}

/// POST /v1/simulate.
Result<QJsonObject> replayOnGateway(const QUrl &gateway, const QByteArray &key, const Request &request, int maxChanges)
{
    const QJsonObject body{{QStringLiteral("policies"), request.policies},
                           {QStringLiteral("filter"), request.filter},
                           {QStringLiteral("bucket_seconds"), request.bucketSeconds},
                           {QStringLiteral("max_changes"), std::clamp(maxChanges, 0, 1000)}};
    return callGateway(gateway, "POST", QStringLiteral("/v1/simulate"), key, QJsonDocument(body).toJson(QJsonDocument::Compact),
                       10 * 60 * 1000);
}

QString countsText(const simulate::ChangeCounts &counts)
{
    return QStringLiteral("unchanged %1, newly denied %2, newly allowed %3").arg(counts.unchanged).arg(counts.newlyDenied).arg(counts.newlyAllowed);
}

void printBreakdown(QTextStream &out, const char *title, const std::map<QString, simulate::ChangeCounts> &breakdown)
{
    bool any = false;
    for (const auto &[key, counts] : breakdown) {
        if (counts.newlyDenied + counts.newlyAllowed == 0)
            continue;
        if (!any)
            out << title << " (where something changes):\n";
        any = true;
        out << "  " << key.leftJustified(32) << ' ' << countsText(counts) << '\n';
    }
}

void printSummary(QTextStream &out, const QJsonObject &answer, const simulate::ReplaySummary &summary, int maxChanges)
{
    out << "replayed " << summary.replayed << " recorded decisions";
    out << " (" << answer.value(QStringLiteral("not_replayable")).toInteger() << " refused before the policy step, " << summary.skipped
        << " no longer fit the schema)\n";
    if (answer.value(QStringLiteral("truncated")).toBool())
        out << "the window held more records than one replay takes; narrow it with --since/--until\n";
    out << countsText(summary.overall) << '\n';
    printBreakdown(out, "by agent", summary.byAgent);
    printBreakdown(out, "by tool", summary.byTool);
    printBreakdown(out, "by action", summary.byAction);
    printBreakdown(out, "by determining policy", summary.byPolicy);
    for (const QString &reason : summary.skipReasons)
        out << "skipped: " << reason << '\n';
    const qint64 total = summary.overall.newlyDenied + summary.overall.newlyAllowed;
    if (total == 0 || maxChanges == 0)
        return;
    const qint64 shown = std::min<qint64>({total, maxChanges, qint64(summary.changes.size())});
    out << "changed decisions (" << shown << " of " << total << "):\n";
    for (qint64 i = 0; i < shown; ++i) {
        const simulate::ReplayedRequest &c = summary.changes[size_t(i)];
        const simulate::RecordedRequest &r = c.recorded;
        out << "  " << r.time.toString(Qt::ISODateWithMs) << ' ' << r.gatewayId << " #" << r.sequence << ' '
            << (c.change == simulate::Change::NewlyDenied ? "NEWLY DENIED " : "NEWLY ALLOWED ") << r.action << " by "
            << r.agent << " (" << r.execution << ", for " << r.human << ")\n"
            << "      before: " << c.before.explanation << '\n'
            << "      after:  " << c.after.explanation << '\n';
    }
}

int run(Invocation &io)
{
    QStringList args = io.args;
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        io.out << usage;
        return Ok;
    }
    bool missing = false;
    Result<Request> request = takeRequest(args, missing);
    if (!request)
        return fail(io.err, request.error(), request.error().code == QLatin1String("io") ? Failed : UsageError);
    const bool asJson = args.removeAll(QStringLiteral("--json")) > 0;
    int maxChanges = 20;
    if (const QString text = takeOption(args, QStringLiteral("--max-changes"), missing); !text.isEmpty()) {
        bool ok = false;
        maxChanges = text.toInt(&ok);
        if (!ok || maxChanges < 0)
            return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("--max-changes must be a count")}, UsageError);
    }
    const QString gateway = takeOption(args, QStringLiteral("--gateway"), missing);
    const QString keyFile = takeOption(args, QStringLiteral("--api-key-file"), missing);
    const QString schemaPath = takeOption(args, QStringLiteral("--schema"), missing);

    Result<QJsonObject> answer = Error{};
    if (!gateway.isEmpty()) {
        const Result<QUrl> url = gatewayUrl(gateway);
        if (!url)
            return fail(io.err, url.error(), UsageError);
        if (missing || !args.isEmpty())
            return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("unexpected arguments: ") + args.join(u' ')}, UsageError);
        if (!schemaPath.isEmpty())
            return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("--schema is for local replays: a gateway replays against "
                                                                              "its own schema")}, UsageError);
        Result<QByteArray> key = apiKey(keyFile);
        if (!key)
            return fail(io.err, key.error(), key.error().code == QLatin1String("usage") ? UsageError : Failed);
        answer = replayOnGateway(url.value(), key.value(), request.value(), maxChanges);
    } else {
        const QString dbPath = takeDatabasePath(args, QStringLiteral("simulate"), io.err);
        if (dbPath.isEmpty())
            return UsageError;
        if (missing || !args.isEmpty())
            return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("unexpected arguments: ") + args.join(u' ')}, UsageError);
        if (!keyFile.isEmpty())
            return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("--api-key-file is for --gateway: a local replay reads "
                                                                              "the database")}, UsageError);
        answer = replayLocally(dbPath, schemaPath, request.value());
    }
    if (!answer)
        return fail(io.err, answer.error());
    Result<simulate::ReplaySummary> summary = simulate::ReplaySummary::fromJson(answer.value());
    if (!summary)
        return fail(io.err, summary.error());

    if (asJson)
        io.out << QString::fromUtf8(QJsonDocument(answer.value()).toJson(QJsonDocument::Indented));
    else
        printSummary(io.out, answer.value(), summary.value(), maxChanges);
    if (summary->overall.newlyDenied + summary->overall.newlyAllowed > 0)
        return kChanges;
    if (answer->value(QStringLiteral("truncated")).toBool() || summary->skipped > 0) {
        io.err << "mandatectl: no change among the decisions replayed, but not every recorded decision of the window was "
                  "replayed (" << summary->skipped << " no longer fit the schema"
               << (answer->value(QStringLiteral("truncated")).toBool() ? ", and the window held more than one replay takes" : "")
               << ")\n";
        return kIncomplete;
    }
    return Ok;
}

const CommandRegistration registration(QStringLiteral("simulate"),
                                       {QStringLiteral("replay recorded decisions under a candidate policy set"), run});

} // namespace

} // namespace mandate::ctl
