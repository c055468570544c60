// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordForm.h"
#include "identity/Agent.h"

#include <functional>

class QComboBox;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;

namespace mandate::ui {

/// The form for one agent of the working copy. Every change becomes an undoable edit on the
/// document; the core Validator's messages for the record appear under the fields as you type.
class AgentForm final : public RecordForm
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentForm)

public:
    explicit AgentForm(RegistryDocument *document, QWidget *parent = nullptr);

    void showAgent(quint64 uid);  ///< 0 shows nothing
    quint64 agentUid() const { return m_uid; }
    /// Current validation messages by field ("id", "owner", ...), for tests and the review.
    QHash<QString, QStringList> fieldErrors() const { return m_errors; }

private:
    void build();
    void refresh() override;
    void validate(const identity::Agent &agent);
    void edit(const QString &field, const std::function<void(identity::Agent &)> &apply);

    QLineEdit *m_id = nullptr;
    QLineEdit *m_displayName = nullptr;
    QComboBox *m_owner = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QComboBox *m_status = nullptr;
    QSpinBox *m_trust = nullptr;
    QSpinBox *m_depth = nullptr;
    QSpinBox *m_defaultTtl = nullptr;
    QSpinBox *m_maxTtl = nullptr;
    QSpinBox *m_calls = nullptr;
    QLineEdit *m_tokens = nullptr;
    QLineEdit *m_amount = nullptr;
    QListWidget *m_actions = nullptr;
    QLineEdit *m_delegators = nullptr;
    QHash<QString, QStringList> m_errors;
    QHash<QString, QString> m_parseErrors;  // text the form cannot turn into a value yet
};

} // namespace mandate::ui
