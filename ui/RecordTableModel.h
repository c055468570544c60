// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordEntry.h"

#include <QAbstractTableModel>

namespace mandate::ui {

class RegistryDocument;

/// One kind of a RegistryDocument's records as a read-only table. Edits go through the
/// document's undo stack; this translates the document's change signals into model signals and
/// shows what every registry table shows alike: the last column is the pending change, whose
/// rows are in italics (struck out when deleted), and each row has its uid and change in
/// UidRole and ChangeRole. Subclasses say what the other columns show.
class RecordTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordTableModel)

public:
    enum Role { UidRole = Qt::UserRole + 1, ChangeRole, SortRole };

    int rowCount(const QModelIndex &parent = {}) const final;
    int columnCount(const QModelIndex &parent = {}) const final;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const final;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const final;

    QModelIndex indexOfUid(quint64 uid) const;
    static QString changeName(PendingChange change);

protected:
    /// `columns` counts the change column, which comes last.
    RecordTableModel(RegistryDocument *document, RecordKind kind, int columns, QObject *parent);

    RegistryDocument *document() const { return m_document; }

    /// What a row shows besides its cells.
    struct RowState
    {
        quint64 uid = 0;
        PendingChange change = PendingChange::None;
    };
    virtual int recordCount() const = 0;
    virtual RowState rowState(int row) const = 0;
    virtual int rowOfUid(quint64 uid) const = 0;
    /// A cell's display, sort, tool tip or alignment role; the change column's display and sort
    /// roles are this class's.
    virtual QVariant cell(int row, int column, int role) const = 0;
    virtual QString columnTitle(int column) const = 0;

    /// The version column: the gateway's version the edit started from ("–" for a new record),
    /// sorted by the record's own version.
    template<typename Record>
    static QVariant versionCell(const RecordEntry<Record> &entry, int role)
    {
        if (role == SortRole)
            return entry.record.version;
        if (role != Qt::DisplayRole)
            return {};
        return entry.base ? QVariant(entry.base->version) : QVariant(QStringLiteral("–"));
    }

private:
    RegistryDocument *m_document;
    int m_columns;
};

} // namespace mandate::ui
