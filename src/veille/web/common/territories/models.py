"""Communes: every child, file, case and document belongs to one."""

from __future__ import annotations

from django.db import models


class Commune(models.Model):
    """A commune whose cell uses this instance (a department-level deployment serves several)."""

    name = models.CharField("nom", max_length=120)
    slug = models.SlugField("identifiant dans les adresses", unique=True)
    insee_code = models.CharField("code INSEE", max_length=5, blank=True)
    department = models.CharField("département", max_length=3, blank=True)
    address = models.TextField("adresse de la mairie", blank=True)
    logo = models.FileField("logo", upload_to="logos/", blank=True)
    signatory = models.CharField("signataire des courriers", max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "commune"

    def __str__(self) -> str:
        return self.name
