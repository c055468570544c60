// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QPushButton;
class QTreeWidget;

namespace mandate::ui {

class RegistryDocument;

/// "Review & push": every pending change, field by field (before → after), with the core
/// Validator's findings. Pushing is possible only when every pending record is valid.
class ReviewDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewDialog)

public:
    explicit ReviewDialog(const RegistryDocument &document, QWidget *parent = nullptr);

    int changeCount() const { return m_changes; }
    int invalidCount() const { return m_invalid; }

private:
    void populate(const RegistryDocument &document);

    QTreeWidget *m_tree;
    QPushButton *m_push;
    int m_changes = 0;
    int m_invalid = 0;
};

} // namespace mandate::ui
