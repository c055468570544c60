// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordForm.h"
#include "identity/Tool.h"

#include <functional>

class QComboBox;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;

namespace mandate::ui {

/// The form for one tool of the working copy; like AgentForm, every change is an undoable edit
/// and the core Validator's messages show inline.
class ToolForm final : public RecordForm
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolForm)

public:
    explicit ToolForm(RegistryDocument *document, QWidget *parent = nullptr);

    void showTool(quint64 uid);
    quint64 toolUid() const { return m_uid; }

private:
    void build();
    void refresh() override;
    void edit(const QString &field, const std::function<void(identity::Tool &)> &apply);

    QLineEdit *m_displayName = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLineEdit *m_upstream = nullptr;
    QLineEdit *m_credential = nullptr;
    QSpinBox *m_risk = nullptr;
    QSpinBox *m_rateLimit = nullptr;
    QComboBox *m_inspection = nullptr;
    QListWidget *m_actions = nullptr;
};

} // namespace mandate::ui
