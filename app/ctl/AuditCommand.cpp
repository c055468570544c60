// SPDX-License-Identifier: Apache-2.0
// mandatectl audit verify|query|export|lineage|head: the audit log of a gateway's database.
#include "CommandRegistry.h"

#include "audit/AuditQuery.h"
#include "audit/AuditVerifier.h"
#include "audit/JsonLinesSink.h"
#include "audit/Lineage.h"
#include "audit/OtlpEncoder.h"
#include "audit/OtlpExporter.h"
#include "crypto/Base64Url.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"
#include "store/Database.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QThread>
#include <QUrlQuery>

#include <memory>

namespace mandate::ctl {

namespace {

const char *const usage =
    "Usage: mandatectl audit <command> --data-dir DIR [options]\n"
    "\n"
    "Commands:\n"
    "  verify [--head FILE] [--gateway G] [--json]\n"
    "        walk the hash chain; with a saved signed head also detect truncation and forgery\n"
    "  query [filters] [--limit N] [--cursor C] [--all]\n"
    "        matching records as JSON lines; the next page's cursor goes to stderr\n"
    "  export --format jsonl|otlp [filters] [--output FILE] [--endpoint URL]\n"
    "        jsonl: one record per line (SIEM); otlp: OTLP/JSON log requests, or POSTed to\n"
    "        a collector's /v1/logs URL with --endpoint\n"
    "  lineage --execution ID | --human H | --agent A [--format json|dot]\n"
    "        the delegation graph: human -> agent -> execution -> sub-executions -> calls\n"
    "  head --key FILE [--gateway G] [--output FILE]\n"
    "        verify the chain and print its head signed with the Ed25519 key in FILE\n"
    "        (a key ring JSON file with \"d\", or a base64url seed)\n"
    "\n"
    "Filters: --from T --to T (RFC 3339) --human H --agent A --execution E [--no-descendants]\n"
    "         --tool T --action A --decision allow|deny --trace-id ID --event TYPE --gateway G\n"
    "\n"
    "Options:\n"
    "  --data-dir DIR   the gateway's data directory (its mandate.db)\n"
    "  --db FILE        a database file instead of --data-dir\n"
    "\n"
    "Exit codes: 0 ok / intact, 1 tampered or failed, 2 usage or input error.\n";

bool takeFlag(QStringList &args, const QString &name)
{
    return args.removeAll(name) > 0;
}

int printError(QTextStream &err, const Error &error, int code)
{
    err << "mandatectl: " << error.toString() << '\n';
    for (const Error &detail : error.details)
        err << "  " << detail.toString() << '\n';
    return code;
}

/// The filter options, as the query items AuditFilter::fromQuery understands.
Result<audit::AuditFilter> takeFilter(QStringList &args, bool &missing)
{
    static const QList<QPair<const char *, const char *>> options{
        {"--from", "from"}, {"--to", "to"}, {"--human", "human"}, {"--agent", "agent"},
        {"--execution", "execution"}, {"--tool", "tool"}, {"--action", "action"}, {"--decision", "decision"},
        {"--trace-id", "trace_id"}, {"--event", "event"}, {"--gateway", "gateway"}};
    QUrlQuery query;
    for (const auto &[option, item] : options) {
        const QString value = takeOption(args, QLatin1String(option), missing);
        if (!value.isEmpty())
            query.addQueryItem(QLatin1String(item), value);
    }
    if (takeFlag(args, QStringLiteral("--no-descendants")))
        query.addQueryItem(QStringLiteral("descendants"), QStringLiteral("false"));
    return audit::AuditFilter::fromQuery(query);
}

Result<crypto::Ed25519Key> readKey(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    QByteArray text = file.readAll().trimmed();
    QByteArray seedText = text;
    if (text.startsWith('{')) {
        Result<QJsonObject> jwk = json::parseObject(text);
        if (!jwk)
            return Error{QStringLiteral("invalid"), QStringLiteral("%1: %2").arg(path, jwk.error().toString())};
        seedText = jwk->value(QStringLiteral("d")).toString().toLatin1();
    }
    Result<QByteArray> seed = crypto::Base64Url::decode(seedText);
    text.fill('\0');
    if (!seed || seed->size() != crypto::Ed25519Key::kSeedSize)
        return Error{QStringLiteral("invalid"), QStringLiteral("%1 holds no Ed25519 private key (\"d\" or a base64url seed)").arg(path)};
    Result<crypto::Ed25519Key> key = crypto::Ed25519Key::fromSeed(seed.value());
    seed->fill('\0');
    return key;
}

Result<audit::SignedHead> readHead(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    Result<QJsonObject> object = json::parseObject(file.readAll());
    if (!object)
        return Error{QStringLiteral("invalid"), QStringLiteral("%1: %2").arg(path, object.error().toString())};
    return audit::SignedHead::fromJson(object.value());
}

/// A chain named with --gateway that holds no record is a typo or a chain deleted whole; neither
/// is "intact" (with a saved head of that gateway, the verifier reports the truncation itself).
int namedChainIsEmpty(const QString &gateway, const audit::VerifyReport &report, bool againstSavedHead, Invocation &io)
{
    if (gateway.isEmpty() || report.recordsChecked > 0 || againstSavedHead || !report.intact())
        return Ok;
    io.err << "mandatectl: no audit records for gateway " << gateway
           << ": a mistyped id, or a chain deleted whole (verify against a saved head with --head to tell)\n";
    return Failed;
}

int verify(const store::Database &db, QStringList &args, Invocation &io)
{
    bool missing = false;
    audit::AuditVerifier::Options options;
    const QString headPath = takeOption(args, QStringLiteral("--head"), missing);
    options.gatewayId = takeOption(args, QStringLiteral("--gateway"), missing);
    const bool asJson = takeFlag(args, QStringLiteral("--json"));
    if (missing || !args.isEmpty()) {
        io.err << "mandatectl: audit verify: unexpected or incomplete arguments\n";
        return UsageError;
    }
    if (!headPath.isEmpty()) {
        Result<audit::SignedHead> head = readHead(headPath);
        if (!head)
            return printError(io.err, head.error(), UsageError);
        options.savedHead = head.value();
    }
    Result<audit::VerifyReport> report = audit::AuditVerifier(db).verify(options);
    // A log that cannot be read is not verified: a failure, as tampering is, not a usage error.
    if (!report)
        return printError(io.err, report.error(), Failed);
    if (const int named = namedChainIsEmpty(options.gatewayId, report.value(), options.savedHead.has_value(), io); named != Ok)
        return named;
    if (asJson) {
        io.out << QJsonDocument(report->toJson()).toJson(QJsonDocument::Indented);
    } else if (report->intact()) {
        io.out << "intact: " << report->recordsChecked << " records in " << report->gateways << " chain(s)"
               << (report->sealsChecked ? ", seals verified" : "") << "; head " << report->head.gatewayId << " #"
               << report->head.sequence << ' ' << QString::fromLatin1(report->head.hash.toHex()) << '\n';
    } else {
        io.out << "TAMPERED: " << audit::tamperKindName(report->problem) << ": gateway " << report->gatewayId
               << ", record " << report->sequence << ": " << report->reason << '\n';
    }
    return report->intact() ? Ok : Failed;
}

int query(const store::Database &db, QStringList &args, Invocation &io)
{
    bool missing = false;
    Result<audit::AuditFilter> filter = takeFilter(args, missing);
    QString cursor = takeOption(args, QStringLiteral("--cursor"), missing);
    const QString limitText = takeOption(args, QStringLiteral("--limit"), missing);
    const bool all = takeFlag(args, QStringLiteral("--all"));
    if (missing || !args.isEmpty()) {
        io.err << "mandatectl: audit query: unexpected or incomplete arguments\n";
        return UsageError;
    }
    if (!filter)
        return printError(io.err, filter.error(), UsageError);
    bool ok = true;
    const int limit = limitText.isEmpty() ? audit::AuditQuery::kDefaultLimit : limitText.toInt(&ok);
    if (!ok || limit < 1) {
        io.err << "mandatectl: --limit must be a positive number\n";
        return UsageError;
    }
    const audit::AuditQuery queries(db);
    do {
        Result<audit::AuditPage> page = queries.find(filter.value(), cursor, limit);
        if (!page)
            return printError(io.err, page.error(), page.error().code == QLatin1String("invalid") ? UsageError : Failed);
        for (const audit::StoredRecord &record : page->records)
            io.out << audit::JsonLinesSink::line(record);
        cursor = page->nextCursor;
    } while (all && !cursor.isEmpty());
    if (!cursor.isEmpty())
        io.err << "next cursor: " << cursor << '\n';
    return Ok;
}

/// POSTs everything to a collector through the spooling exporter and waits until it is acknowledged.
int postOtlp(const audit::AuditQuery &queries, const audit::AuditFilter &filter, const QString &endpoint, Invocation &io)
{
    QTemporaryDir spool;
    audit::OtlpExporter::Options options;
    options.endpoint = QUrl(endpoint);
    options.spoolDir = spool.path();
    options.maxBufferBytes = 1ll << 40; // a one-shot export keeps everything until it is delivered
    options.maxBackoffMs = 5000;
    Result<std::unique_ptr<audit::OtlpExporter>> exporter = audit::OtlpExporter::start(options);
    if (!exporter)
        return printError(io.err, exporter.error(), UsageError);
    quint64 total = 0;
    QString cursor;
    do {
        Result<audit::AuditPage> page = queries.find(filter, cursor, audit::AuditQuery::kMaxLimit);
        if (!page)
            return printError(io.err, page.error(), Failed);
        exporter.value()->consume(page->records);
        total += page->records.size();
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());
    // Gives up after a minute without progress, not after a minute in all: a large history
    // takes longer, and a collector that takes nothing (down, or refusing every request) is
    // waited for no longer than that.
    const audit::OtlpExporter &otlp = *exporter.value();
    const auto handled = [&otlp] { return otlp.sent() + otlp.rejected() + otlp.dropped(); };
    QDeadlineTimer stalled(60'000);
    for (quint64 before = handled(); handled() < total && !stalled.hasExpired(); QThread::msleep(20)) {
        if (const quint64 now = handled(); now != before) {
            before = now;
            stalled.setRemainingTime(60'000);
        }
    }
    const quint64 sent = otlp.sent();
    // The endpoint without user information or query: either could hold a credential.
    io.err << "exported " << sent << " of " << total << " records to "
           << QUrl(endpoint).toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    if (otlp.rejected() > 0)
        io.err << " (" << otlp.rejected() << " rejected by the collector)";
    if (otlp.dropped() > 0)
        io.err << " (" << otlp.dropped() << " could not be spooled)";
    if (sent + otlp.rejected() + otlp.dropped() < total)
        io.err << " (the collector took nothing for a minute; see the log for why)";
    io.err << '\n';
    return sent == total ? Ok : Failed;
}

/// Where an export goes: standard output for an empty `output`. A regular file is written
/// whole or not at all (QSaveFile), readable by its owner only (records hold tool arguments and
/// stated reasons); a device, FIFO or /dev/fd/N in place, since a replacement file would swap it
/// out. The error is why it cannot be opened.
Result<std::unique_ptr<QFileDevice>> openExportOutput(const QString &output)
{
    std::unique_ptr<QFileDevice> out;
    bool opened = false;
    if (output.isEmpty()) {
        auto file = std::make_unique<QFile>();
        opened = file->open(stdout, QIODevice::WriteOnly);
        out = std::move(file);
    } else if (const QFileInfo target(output); target.exists() && !target.isFile()) {
        out = std::make_unique<QFile>(output);
        opened = out->open(QIODevice::WriteOnly);
    } else {
        out = std::make_unique<QSaveFile>(output);
        opened = out->open(QIODevice::WriteOnly) && out->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    if (!opened)
        return Error{QStringLiteral("io"), out->errorString()};
    return out;
}

int exportRecords(const store::Database &db, QStringList &args, Invocation &io)
{
    bool missing = false;
    Result<audit::AuditFilter> filter = takeFilter(args, missing);
    const QString format = takeOption(args, QStringLiteral("--format"), missing);
    const QString output = takeOption(args, QStringLiteral("--output"), missing);
    const QString endpoint = takeOption(args, QStringLiteral("--endpoint"), missing);
    if (missing || !args.isEmpty() || (format != QLatin1String("jsonl") && format != QLatin1String("otlp"))) {
        io.err << "mandatectl: audit export needs --format jsonl|otlp\n";
        return UsageError;
    }
    if (!filter)
        return printError(io.err, filter.error(), UsageError);
    const audit::AuditQuery queries(db);
    if (!endpoint.isEmpty()) {
        if (format != QLatin1String("otlp")) {
            io.err << "mandatectl: --endpoint goes with --format otlp\n";
            return UsageError;
        }
        return postOtlp(queries, filter.value(), endpoint, io);
    }
    Result<std::unique_ptr<QFileDevice>> opened = openExportOutput(output);
    if (!opened) {
        io.err << "mandatectl: cannot write " << (output.isEmpty() ? QStringLiteral("to standard output") : output) << ": "
               << opened.error().message << '\n';
        return output.isEmpty() ? Failed : UsageError;
    }
    const std::unique_ptr<QFileDevice> file = std::move(opened).value();
    const auto writeFailed = [&io, &file, &output]() {
        io.err << "mandatectl: cannot write " << (output.isEmpty() ? QStringLiteral("the export") : output) << ": "
               << file->errorString() << '\n';
        return Failed;
    };
    io.out.flush();
    if (format == QLatin1String("jsonl")) {
        Result<qint64> count = audit::JsonLinesSink::exportAll(queries, filter.value(), *file);
        if (!count)
            return count.error().code == QLatin1String("io") ? writeFailed() : printError(io.err, count.error(), Failed);
    } else {
        // One ExportLogsServiceRequest per line, each with up to a page of records.
        QString cursor;
        do {
            Result<audit::AuditPage> page = queries.find(filter.value(), cursor, audit::AuditQuery::kMaxLimit);
            if (!page)
                return printError(io.err, page.error(), Failed);
            if (page->records.empty())
                break;
            QJsonArray logs;
            for (const audit::StoredRecord &record : page->records)
                logs.append(audit::OtlpEncoder::logRecord(record));
            const QByteArray line = json::writeCompact(audit::OtlpEncoder::request(logs)) + '\n';
            if (file->write(line) != line.size())
                return writeFailed();
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
    }
    if (!finishOutput(*file))
        return writeFailed();
    return Ok;
}

int lineage(const store::Database &db, QStringList &args, Invocation &io)
{
    bool missing = false;
    const QString execution = takeOption(args, QStringLiteral("--execution"), missing);
    const QString human = takeOption(args, QStringLiteral("--human"), missing);
    const QString agent = takeOption(args, QStringLiteral("--agent"), missing);
    const QString format = takeOption(args, QStringLiteral("--format"), missing);
    if (missing || !args.isEmpty() || int(!execution.isEmpty()) + int(!human.isEmpty()) + int(!agent.isEmpty()) != 1
        || (!format.isEmpty() && format != QLatin1String("json") && format != QLatin1String("dot"))) {
        io.err << "mandatectl: audit lineage needs one of --execution, --human, --agent and --format json|dot\n";
        return UsageError;
    }
    const audit::Lineage builder(db);
    Result<audit::LineageGraph> graph = !execution.isEmpty() ? builder.forExecution(execution)
                                        : !human.isEmpty()   ? builder.forHuman(human)
                                                             : builder.forAgent(agent);
    if (!graph)
        return printError(io.err, graph.error(), Failed);
    if (format == QLatin1String("dot"))
        io.out << QString::fromUtf8(graph->toDot());
    else
        io.out << QJsonDocument(graph->toJson()).toJson(QJsonDocument::Indented);
    return Ok;
}

int head(const store::Database &db, QStringList &args, Invocation &io)
{
    bool missing = false;
    const QString keyPath = takeOption(args, QStringLiteral("--key"), missing);
    const QString gateway = takeOption(args, QStringLiteral("--gateway"), missing);
    const QString output = takeOption(args, QStringLiteral("--output"), missing);
    if (missing || !args.isEmpty() || keyPath.isEmpty()) {
        io.err << "mandatectl: audit head needs --key FILE\n";
        return UsageError;
    }
    Result<crypto::Ed25519Key> key = readKey(keyPath);
    if (!key)
        return printError(io.err, key.error(), UsageError);
    audit::AuditVerifier::Options options;
    options.gatewayId = gateway;
    Result<audit::VerifyReport> report = audit::AuditVerifier(db).verify(options);
    if (!report)
        return printError(io.err, report.error(), Failed);
    if (const int named = namedChainIsEmpty(gateway, report.value(), false, io); named != Ok)
        return named;
    // Signing a tampered chain's head would vouch for the tampering.
    if (!report->intact()) {
        io.err << "mandatectl: refusing to sign: " << audit::tamperKindName(report->problem) << " at record "
               << report->sequence << ": " << report->reason << '\n';
        return Failed;
    }
    if (gateway.isEmpty() && report->gateways > 1) {
        io.err << "mandatectl: the database holds several chains; choose one with --gateway\n";
        return UsageError;
    }
    if (report->gateways == 0) {
        io.err << "mandatectl: the audit log is empty\n";
        return Failed;
    }
    Result<audit::SignedHead> signedHead = audit::SignedHead::sign(report->head, key.value(), QDateTime::currentDateTimeUtc());
    if (!signedHead)
        return printError(io.err, signedHead.error(), Failed);
    const QByteArray text = QJsonDocument(signedHead->toJson()).toJson(QJsonDocument::Indented);
    if (output.isEmpty()) {
        io.out << QString::fromUtf8(text);
        return Ok;
    }
    if (Status written = writeOutputFile(output, text); !written) {
        io.err << "mandatectl: " << written.error().message << '\n';
        return Failed;
    }
    return Ok;
}

int run(Invocation &io)
{
    QStringList args = io.args;
    int exitCode = Ok;
    const QString command = takeSubcommand(args, usage, io, exitCode);
    if (command.isEmpty())
        return exitCode;
    static const QStringList commands{QStringLiteral("verify"), QStringLiteral("query"), QStringLiteral("export"),
                                      QStringLiteral("lineage"), QStringLiteral("head")};
    if (!commands.contains(command)) {
        io.err << "mandatectl: unknown audit command '" << command << "'\n" << usage;
        return UsageError;
    }
    const QString dbPath = takeDatabasePath(args, QStringLiteral("audit ") + command, io.err);
    if (dbPath.isEmpty())
        return UsageError;
    auto database = store::Database::openReadOnly(dbPath);
    if (!database)
        return printError(io.err, database.error(), UsageError);
    const store::Database &db = *database.value();
    if (command == QLatin1String("verify"))
        return verify(db, args, io);
    if (command == QLatin1String("query"))
        return query(db, args, io);
    if (command == QLatin1String("export"))
        return exportRecords(db, args, io);
    if (command == QLatin1String("lineage"))
        return lineage(db, args, io);
    if (command == QLatin1String("head"))
        return head(db, args, io);
    io.err << "mandatectl: unknown audit command '" << command << "'\n" << usage;
    return UsageError;
}

const CommandRegistration registration(QStringLiteral("audit"),
                                       {QStringLiteral("verify, query, export the audit log; lineage graphs; signed heads"), run});

} // namespace

} // namespace mandate::ctl
