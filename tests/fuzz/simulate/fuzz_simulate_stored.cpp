// SPDX-License-Identifier: Apache-2.0
// Fuzz target for reading stored decision records from their bytes (JsonSpans and
// StoredRequestReader). Beyond "no crash", a differential property: whatever the byte reader
// accepts, Qt's reader accepts too and reads the same way.
#include "simulate/JsonSpans.h"
#include "simulate/RecordedTraffic.h"
#include "simulate/StoredRequestReader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mandate;
using namespace mandate::simulate;

namespace {

void checkSpans(const QByteArray &text)
{
    QJsonObject members;
    bool duplicate = false;
    const bool ok = JsonSpans::forEachMember(text, [&](QByteArrayView key, QByteArrayView value) {
        const QJsonDocument item = QJsonDocument::fromJson("[" + value.toByteArray() + "]");
        if (!item.isArray() || item.array().size() != 1)
            std::abort();
        duplicate = duplicate || members.contains(QString::fromLatin1(key));
        members.insert(QString::fromLatin1(key), item.array().at(0));
        return true;
    });
    if (!ok)
        return;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (!document.isObject() || (!duplicate && document.object() != members))
        std::abort();
}

void checkRecord(const QByteArray &body)
{
    audit::StoredRecord stored;
    stored.sequence = 1;
    stored.body = body;
    const std::optional<Result<RecordedRequest>> fast = StoredRequestReader::read(stored);
    if (!fast)
        return;
    const Result<RecordedRequest> reference = RecordedTraffic::fromStoredWithQt(stored);
    if (fast->ok() != reference.ok())
        std::abort();
    if (!reference) {
        if (fast->error().code != reference.error().code || fast->error().message != reference.error().message)
            std::abort();
        return;
    }
    // The read of a body inside a larger buffer, with repeated strings shared, reads the same.
    static StoredRequestReader::Strings strings;
    const QByteArray buffer = "xx" + body + "yy";
    const std::optional<Result<RecordedRequest>> shared = StoredRequestReader::read(buffer, QByteArrayView(buffer).sliced(2, body.size()), 1, QString(), strings);
    if (!shared || shared->ok() != fast->ok())
        std::abort();
    if (shared->ok()) {
        const RecordedRequest &s = shared->value();
        const RecordedRequest &f = fast->value();
        if (s.gatewayId != f.gatewayId || s.time != f.time || s.human != f.human || s.agent != f.agent || s.execution != f.execution
            || s.tool != f.tool || s.action != f.action || s.decisionId != f.decisionId || s.policyAllowed != f.policyAllowed
            || s.policies != f.policies || s.errors != f.errors || s.cedarRequestObject() != f.cedarRequestObject())
            std::abort();
    } else if (shared->error().message != fast->error().message) {
        std::abort();
    }
    const RecordedRequest &a = fast->value();
    const RecordedRequest &b = reference.value();
    if (a.gatewayId != b.gatewayId || a.time != b.time || a.human != b.human || a.agent != b.agent
        || a.execution != b.execution || a.tool != b.tool || a.action != b.action || a.decisionId != b.decisionId
        || a.policyAllowed != b.policyAllowed || a.policies != b.policies || a.errors != b.errors
        || a.cedarRequestObject() != b.cedarRequest)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    const QByteArray text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkSpans(text);
    checkRecord(text);
    return 0;
}
