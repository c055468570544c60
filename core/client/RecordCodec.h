// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/ClientResult.h"

#include <QByteArray>
#include <QJsonObject>

#include <vector>

namespace mandate::client {

/// Turns gateway response bodies into typed records, strictly: a body that is not the JSON
/// the admin API promises becomes a Protocol error, never a half-filled record.
class RecordCodec
{
public:
    /// The body as a JSON object (large limits: a registry export can hold 10,000s of records).
    static ClientResult<QJsonObject> object(const QByteArray &body);

    /// One record (Agent, Tool, Human, Machine) from its toJson() form.
    template<typename Record>
    static ClientResult<Record> record(const QJsonObject &json);

    /// {"items": [...]} of records.
    template<typename Record>
    static ClientResult<std::vector<Record>> list(const QJsonObject &json);
};

} // namespace mandate::client
