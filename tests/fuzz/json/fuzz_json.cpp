// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the strict JSON reader. Beyond "no crash", it checks a property: whatever the
// reader accepts, the compact writer re-emits as a document the reader accepts again unchanged.
// And json::ObjectText, which keeps an object's text and reads members from it, accepts and
// rejects exactly as the reader does and reads every member as the reader's tree holds it.
#include "json/JsonReader.h"
#include "json/JsonWriter.h"
#include "json/ObjectText.h"

#include <QJsonArray>

#include <cstdlib>
#include <cstddef>
#include <cstdint>

namespace {

void checkObjectText(const QByteArray &input, const mandate::Result<QJsonValue> &parsed, mandate::json::Failure failure,
                     const mandate::json::Limits &limits)
{
    using namespace mandate::json;
    Failure textFailure = Failure::None;
    const auto text = ObjectText::parse(input, limits, &textFailure);
    if (!parsed.ok()) {
        if (text.ok() || textFailure != failure || text.error().message != parsed.error().message
            || text.error().path != parsed.error().path)
            std::abort();
        return;
    }
    if (!parsed.value().isObject()) {
        if (text.ok() || textFailure != Failure::NotAnObject)
            std::abort();
        return;
    }
    const QJsonObject object = parsed.value().toObject();
    if (!text.ok() || text->size() != object.size() || writeCompact(text->toObject()) != writeCompact(object))
        std::abort();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QJsonValue member = text->value(QStringView(it.key()));
        if (writeCompact(QJsonArray{member}) != writeCompact(QJsonArray{it.value()}))
            std::abort();
        const QByteArray latin1 = it.key().toLatin1();
        if (QString::fromLatin1(latin1) != it.key())
            continue;
        const QString value = it.value().toString();
        if (text->string(QLatin1StringView(latin1)) != value)
            std::abort();
        if (text->hasString(QLatin1StringView(latin1), value) != (it.value().isString() && !value.isEmpty()))
            std::abort();
        if (!it.value().isArray())
            continue;
        QJsonArray objects;
        for (const QJsonValue &element : it.value().toArray()) {
            if (element.isObject())
                objects.append(element);
        }
        QJsonArray read;
        for (const ObjectText &inner : text->objectsInArray(QLatin1StringView(latin1)))
            read.append(inner.toObject());
        if (writeCompact(read) != writeCompact(objects))
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mandate::json::Limits limits;
    limits.maxBytes = 64 * 1024;
    limits.maxDepth = 32;
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    mandate::json::Failure failure = mandate::json::Failure::None;
    const auto parsed = mandate::json::parse(input, limits, &failure);
    checkObjectText(input, parsed, failure, limits);
    if (!parsed.ok())
        return 0;
    const QByteArray once = mandate::json::writeCompact(parsed.value());
    // Differential: Qt's builder (used after strict validation) and Mandate's own agree.
    const auto own = mandate::json::detail::parseWithOwnBuilder(
        QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)), limits);
    if (!own.ok() || mandate::json::writeCompact(own.value()) != once)
        std::abort();
    mandate::json::Limits relaxed;
    relaxed.maxBytes = once.size() + 1;
    const auto again = mandate::json::parse(once, relaxed);
    if (!again.ok() || mandate::json::writeCompact(again.value()) != once)
        std::abort();
    return 0;
}
