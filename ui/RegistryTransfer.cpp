// SPDX-License-Identifier: Apache-2.0
#include "RegistryTransfer.h"

#include "client/GatewayClient.h"
#include "client/RecordCodec.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace mandate::ui {

using namespace mandate::client;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("mandate::ui::RegistryTransfer", text);
}

/// Reads and parses a registry file, or says why it cannot.
std::optional<QJsonObject> readFile(const QString &path, RegistryTransfer::Outcome &outcome)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        outcome.message = QCoreApplication::translate("mandate::ui::RegistryTransfer", "Cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    ClientResult<QJsonObject> parsed = RecordCodec::object(file.readAll());
    if (!parsed) {
        outcome.message = QCoreApplication::translate("mandate::ui::RegistryTransfer", "%1 is not a registry JSON file: %2").arg(path, parsed.error().detail);
        return std::nullopt;
    }
    return parsed.value();
}

RegistryTransfer::Outcome failure(const ClientError &error)
{
    RegistryTransfer::Outcome outcome;
    outcome.message = error.message();
    outcome.errors = error.fieldErrors;
    return outcome;
}

} // namespace

void RegistryTransfer::exportToFile(GatewayClient *client, const QString &path, QObject *context, Done done)
{
    client->exportRegistry(context, [path, done = std::move(done)](ClientResult<QJsonObject> result) {
        if (!result)
            return done(failure(result.error()));
        QSaveFile file(path);  // all or nothing: never a half-written export
        Outcome outcome;
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(result.value()).toJson(QJsonDocument::Indented)) < 0 || !file.commit()) {
            outcome.message = tr("Cannot write %1: %2").arg(path, file.errorString());
            return done(outcome);
        }
        outcome.ok = true;
        outcome.message = tr("Exported %1 agents and %2 tools to %3.")
                              .arg(result->value(QStringLiteral("agents")).toArray().size())
                              .arg(result->value(QStringLiteral("tools")).toArray().size())
                              .arg(path);
        done(outcome);
    });
}

void RegistryTransfer::validateFile(GatewayClient *client, const QString &path, QObject *context, Done done)
{
    Outcome outcome;
    const std::optional<QJsonObject> registry = readFile(path, outcome);
    if (!registry)
        return done(outcome);
    client->validateRegistry(*registry, context, [path, done = std::move(done)](ClientResult<client::Done> result) {
        if (!result)
            return done(failure(result.error()));
        Outcome valid;
        valid.ok = true;
        valid.message = tr("%1 is valid.").arg(path);
        done(valid);
    });
}

void RegistryTransfer::importFile(GatewayClient *client, const QString &path, QObject *context, Done done)
{
    Outcome outcome;
    const std::optional<QJsonObject> registry = readFile(path, outcome);
    if (!registry)
        return done(outcome);
    client->importRegistry(*registry, context, [done = std::move(done)](ClientResult<ImportSummary> result) {
        if (!result)
            return done(failure(result.error()));
        Outcome imported;
        imported.ok = true;
        imported.message = tr("Imported: %1 records created, %2 updated.").arg(result->created).arg(result->updated);
        done(imported);
    });
}

} // namespace mandate::ui
