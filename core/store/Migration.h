// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

namespace mandate::store {

/// One step of the schema: the statements that take the database from version-1 to version.
struct Migration
{
    int version = 0;
    QString description;
    QStringList statements;
};

} // namespace mandate::store
