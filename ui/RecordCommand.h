// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RegistryDocument.h"

#include <QUndoCommand>

#include <optional>
#include <type_traits>

namespace mandate::ui {

/// One undoable change of one registry record: create (no before), delete (deleted after, or no
/// after for a record never pushed) or edit. It stores whole entries, so undo is exact. Edits of
/// the same field of the same record merge, so that typing a word is one undo step.
template<typename Record>
class RecordCommand final : public QUndoCommand
{
public:
    using Entry = RecordEntry<Record>;
    using Setter = void (RegistryDocument::*)(quint64, int, const std::optional<Entry> &);

    RecordCommand(RegistryDocument *document, quint64 uid, int row, std::optional<Entry> before,
                  std::optional<Entry> after, const QString &text, QString field = {})
        : QUndoCommand(text), m_document(document), m_uid(uid), m_row(row), m_before(std::move(before)),
          m_after(std::move(after)), m_field(std::move(field))
    {
    }

    void undo() override { (m_document->*setter())(m_uid, m_row, m_before); }
    void redo() override { (m_document->*setter())(m_uid, m_row, m_after); }

    int id() const override
    {
        if (m_field.isEmpty())
            return -1;
        return std::is_same_v<Record, identity::Agent> ? 1 : 2;
    }

    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *next = static_cast<const RecordCommand *>(other);
        if (next->m_uid != m_uid || next->m_field != m_field)
            return false;
        m_after = next->m_after;
        setText(next->text());  // name the record as it is now ("gui-agent", not "g")
        return true;
    }

private:
    static Setter setter()
    {
        if constexpr (std::is_same_v<Record, identity::Agent>)
            return &RegistryDocument::setAgentEntry;
        else
            return &RegistryDocument::setToolEntry;
    }

    RegistryDocument *m_document;
    quint64 m_uid;
    int m_row;
    std::optional<Entry> m_before;
    std::optional<Entry> m_after;
    QString m_field;
};

} // namespace mandate::ui
