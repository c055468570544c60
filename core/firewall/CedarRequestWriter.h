// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/CedarRequestBuilder.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace mandate::firewall {

/// The per-call Cedar request without its JSON form: written straight into the bytes the audit
/// log keeps, and read back for the evaluator from those bytes. Building the QJsonObject,
/// encoding it and reading it back against the schema was a sixth of a decision's CPU. The
/// bytes are exactly those of the JSON path (a test holds them equal), and whatever the byte
/// reader does not take (policy::TypedJsonBytes: non-ASCII text, non-integer numbers, …) is left
/// to the JSON path, so decisions and errors stay its own.
class CedarRequestWriter
{
public:
    struct Written
    {
        QByteArray bytes;  ///< AuditRecord::cedarRequestCanonical
        qsizetype contextBegin = 0;
        qsizetype contextEnd = 0;
        QByteArrayView context() const { return QByteArrayView(bytes).sliced(contextBegin, contextEnd - contextBegin); }
    };

    /// CedarEntityCache::canonicalRequest(CedarRequestBuilder::toJson(input, entities), entry)
    /// for the entry whose `canonical` is `canonicalEntities`.
    static Written write(const CedarRequestBuilder::Input &input, const QByteArray &canonicalEntities);
    /// CedarRequestBuilder::parseRequest(toJson(input), schema), with the context read from
    /// `context` (Written::context()). Nullopt when the bytes are not in the reader's plain forms
    /// or there is no schema: then the JSON path decides, and reports any error.
    static std::optional<policy::Request> read(const CedarRequestBuilder::Input &input, QByteArrayView context,
                                               const policy::Schema *schema);
};

} // namespace mandate::firewall
