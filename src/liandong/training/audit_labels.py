"""How the audit log names what is done in training and the guidance library (collected by
core.audit)."""

from liandong.core.audit import link_finder
from liandong.training.permissions import (
    documents_visible_to,
    lecturers_visible_to,
    sessions_visible_to,
)

APP_NAME = "讲师团与培训"

ACTIONS = {
    "training.lecturer_added": "添加讲师",
    "training.lecturer_mobile_viewed": "查看讲师完整手机号",
    "training.session_recorded": "登记培训",
    "training.attendance_marked": "登记代表参训",
    "training.document_created": "编入指导资料",
    "training.version_uploaded": "上传资料新版本",
    "training.document_published": "调整资料发布范围",
}

LINKS = {
    "training.lecturer": link_finder(lecturers_visible_to, "training:lecturer-detail"),
    "training.session": link_finder(sessions_visible_to, "training:session-detail"),
    "training.document": link_finder(documents_visible_to, "training:document-detail"),
}

TYPES = {
    "training.attendance": "参训记录",
    "training.documentversion": "资料版本",
}
