// SPDX-License-Identifier: Apache-2.0
#include "policy/ConformanceRunner.h"

#include "policy/Authorizer.h"
#include "policy/JsonFormats.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace mandate::policy {

namespace {

std::optional<QByteArray> readFile(const QString &path, QString &error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return file.readAll();
}

QString describe(bool allow, QStringList reasons, QStringList errors)
{
    reasons.sort();
    errors.sort();
    return QStringLiteral("%1 reasons=[%2] errors=[%3]")
        .arg(allow ? QStringLiteral("allow") : QStringLiteral("deny"), reasons.join(QLatin1Char(',')),
             errors.join(QLatin1Char(',')));
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        out << s.toString();
    return out;
}

} // namespace

void ConformanceRunner::run(const QString &testFile, Report &report) const
{
    const QDir root(m_root);
    const QString testPath = QFileInfo(testFile).isAbsolute() ? testFile : root.filePath(testFile);
    QString error;
    const auto testText = readFile(testPath, error);
    const auto fail = [&](int requests, const QString &why) {
        report.failed += std::max(requests, 1);
        report.mismatches.append({testFile, QStringLiteral("(all)"), QStringLiteral("test to load"), why});
    };
    if (!testText) {
        fail(1, error);
        return;
    }
    const auto testJson = JsonFormats::read(*testText);
    if (!testJson) {
        fail(1, testJson.error().toString());
        return;
    }
    const QJsonObject test = testJson->toObject();
    const QJsonArray requests = test.value(QLatin1String("requests")).toArray();

    std::optional<Schema> schema;
    if (const QString schemaFile = test.value(QLatin1String("schema")).toString(); !schemaFile.isEmpty()) {
        const auto text = readFile(root.filePath(schemaFile), error);
        if (!text)
            return fail(int(requests.size()), error);
        auto parsed = Schema::parse(*text);
        if (!parsed)
            return fail(int(requests.size()), QStringLiteral("schema: ") + parsed.error().toString());
        schema = std::move(parsed.value());
    }
    const auto policyText = readFile(root.filePath(test.value(QLatin1String("policies")).toString()), error);
    if (!policyText)
        return fail(int(requests.size()), error);
    auto policies = PolicySet::parse(std::string_view(policyText->constData(), size_t(policyText->size())));
    if (!policies)
        return fail(int(requests.size()), QStringLiteral("policies: ") + policies.error().toString());
    const auto entityText = readFile(root.filePath(test.value(QLatin1String("entities")).toString()), error);
    if (!entityText)
        return fail(int(requests.size()), error);
    const auto entityJson = JsonFormats::read(*entityText);
    if (!entityJson)
        return fail(int(requests.size()), QStringLiteral("entities: ") + entityJson.error().toString());
    auto entities = JsonFormats::entities(entityJson.value(), schema ? &*schema : nullptr);
    if (!entities)
        return fail(int(requests.size()), QStringLiteral("entities: ") + entities.error().toString());

    for (const QJsonValue &item : requests) {
        const QJsonObject r = item.toObject();
        const QString name = r.value(QLatin1String("description")).toString();
        const QString expected = describe(r.value(QLatin1String("decision")).toString() == QLatin1String("allow"),
                                          strings(r.value(QLatin1String("reason"))),
                                          strings(r.value(QLatin1String("errors"))));
        auto mismatch = [&](const QString &got) {
            ++report.failed;
            report.mismatches.append({testFile, name, expected, got});
        };
        const auto principal = JsonFormats::entityUid(r.value(QLatin1String("principal")));
        const auto action = JsonFormats::entityUid(r.value(QLatin1String("action")));
        const auto resource = JsonFormats::entityUid(r.value(QLatin1String("resource")));
        if (!principal || !action || !resource) {
            mismatch(QStringLiteral("invalid principal, action or resource"));
            continue;
        }
        auto context = JsonFormats::context(r.value(QLatin1String("context")), schema ? &*schema : nullptr,
                                            action.value());
        if (!context) {
            mismatch(QStringLiteral("context: ") + context.error().toString());
            continue;
        }
        const Request request{principal.value(), action.value(), resource.value(), context.value(), nullptr};
        const Decision d = Authorizer::isAuthorized(policies.value(), entities.value(), request);
        const QString got = describe(d.allowed, d.reasonIds(), d.errorIds());
        if (got == expected)
            ++report.passed;
        else
            mismatch(got + QStringLiteral(" {") + d.errorMessages().join(QStringLiteral("; ")) + QLatin1Char('}'));
    }
}

} // namespace mandate::policy
