// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QObject>
#include <QString>

#include <functional>
#include <vector>

namespace mandate::client {
class GatewayClient;
}

namespace mandate::ui {

/// Registry JSON files ⇄ gateway: export to a file, validate or import a file. The gateway does
/// the validation (all-or-nothing import); a refusal comes back with every invalid record.
class RegistryTransfer final
{
public:
    struct Outcome
    {
        bool ok = false;
        QString message;           ///< one line for the user
        std::vector<Error> errors; ///< invalid records (422), each with its path
    };
    using Done = std::function<void(const Outcome &)>;

    static void exportToFile(client::GatewayClient *client, const QString &path, QObject *context, Done done);
    static void validateFile(client::GatewayClient *client, const QString &path, QObject *context, Done done);
    static void importFile(client::GatewayClient *client, const QString &path, QObject *context, Done done);
};

} // namespace mandate::ui
