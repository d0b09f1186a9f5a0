"""Password rules (settings.AUTH_PASSWORD_VALIDATORS), in our Chinese: Django's own, plus the pinyin of the name.

A Chinese name (王建华) never looks like a Latin password, but its pinyin (wangjianhua) often is one, so the
similarity rule also compares the password with the pinyin of `full_name`, whole and without the surname.
"""

import re
from difflib import SequenceMatcher

from django.contrib.auth import password_validation as django_rules
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

# Shorter parts (a two-letter surname, an initial) are in too many good passwords to refuse them.
SHORTEST_PART = 3


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("该密码过于常见，容易被猜中，请换一个。")

    def get_help_text(self) -> str:
        return _("不能使用常见密码。")


class NumericPasswordValidator(django_rules.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全是数字。")

    def get_help_text(self) -> str:
        return _("密码不能全是数字。")


def name_pinyin(full_name: str) -> list[str]:
    """The pinyin of a Chinese name, whole and without the surname: 王建华 -> wangjianhua, jianhua."""
    if not full_name or full_name.isascii():
        return []  # not a Chinese name: the plain comparison covers it
    syllables = [s for s in lazy_pinyin(full_name) if s.isascii() and s.isalpha()]
    if not syllables:
        return []
    forms = ["".join(syllables)]
    if len(syllables) >= 3:
        forms.append("".join(syllables[1:]))
    return [f.lower() for f in forms if len(f) >= SHORTEST_PART]


class NameSimilarityValidator(django_rules.UserAttributeSimilarityValidator):
    """Django's rule (the password is not too like the user name, name, e-mail), plus containing it or its pinyin."""

    def validate(self, password, user=None):
        if not user:
            return
        try:
            super().validate(password, user)
        except ValidationError as exc:
            raise ValidationError(self._message(user, exc.params["verbose_name"]), code=exc.code) from exc
        folded = re.sub(r"[\W_]+", "", password.lower())
        for attribute in self.user_attributes:
            value = getattr(user, attribute, None)
            if not value or not isinstance(value, str):
                continue
            candidates = [re.sub(r"[\W_]+", "", value.lower())]
            if attribute == "full_name":
                candidates += name_pinyin(value)
            for candidate in candidates:
                if len(candidate) >= SHORTEST_PART and (
                        candidate in folded
                        or SequenceMatcher(a=folded, b=candidate).quick_ratio() >= self.max_similarity):
                    raise ValidationError(self._message(user, self._verbose_name(user, attribute)),
                                          code="password_too_similar")

    @staticmethod
    def _verbose_name(user, attribute: str) -> str:
        try:
            return str(user._meta.get_field(attribute).verbose_name)
        except FieldDoesNotExist:
            return attribute

    @staticmethod
    def _message(user, verbose_name) -> str:
        return _("密码与您的%(field)s过于相似。") % {"field": verbose_name}

    def get_error_message(self) -> str:
        return _("密码与您的个人信息过于相似。")

    def get_help_text(self) -> str:
        return _("密码不能与您的姓名、用户名等个人信息相似。")
