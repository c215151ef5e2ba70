"""The CRM's configuration over the API: pipelines with their stages, and custom property
definitions per record type. Reading needs the area's read scope; changing needs its write
scope and the `settings.manage` capability, as the settings pages do."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clarion.api.auth import scope_required
from clarion.api.pagination import CursorPagination
from clarion.core.properties import services as property_services
from clarion.core.properties.models import PropertyDefinition, PropertyType
from clarion.crm import pipelines as pipeline_services
from clarion.crm.api_schemas import Id, Input
from clarion.crm.models import Pipeline, Stage

MANAGE = "settings.manage"

# --- Pipelines --------------------------------------------------------------------------------

pipelines_router = Router(tags=["pipelines"], auth=scope_required("deals:read"))
change_pipelines = scope_required("deals:write", capability=MANAGE)

Outcome = Literal[*Stage.Outcome.values]


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    outcome: str


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(pipeline: Pipeline) -> list[Stage]:
        return list(pipeline.stages.all())


class PipelinePage(Schema):
    results: list[PipelineOut]
    next: str | None


class PipelineIn(Input):
    name: str = Field(min_length=1, max_length=120)


class StageIn(Input):
    name: str = Field(min_length=1, max_length=120)
    probability: int = Field(0, ge=0, le=100)
    outcome: Outcome = "open"


class StagePatch(Input):
    name: str | None = Field(None, min_length=1, max_length=120)
    probability: int | None = Field(None, ge=0, le=100)
    outcome: Outcome | None = None


def _pipelines():
    return Pipeline.objects.prefetch_related("stages")


@pipelines_router.get("", response=PipelinePage, url_name="list_pipelines",
                      operation_id="list_pipelines", summary="List pipelines and stages")
def list_pipelines(request, pagination: Query[CursorPagination.Input]):
    return CursorPagination(order_by="position").paginate_queryset(
        _pipelines(), pagination, request)


@pipelines_router.get("/{int:pipeline_id}", response=PipelineOut, url_name="get_pipeline",
                      operation_id="get_pipeline", summary="Get a pipeline and its stages")
def get_pipeline(request, pipeline_id: Id):
    return get_object_or_404(_pipelines(), pk=pipeline_id)


@pipelines_router.post("", response={201: PipelineOut}, auth=change_pipelines,
                       url_name="create_pipeline", operation_id="create_pipeline",
                       summary="Create a pipeline (with one first stage)")
def create_pipeline(request, payload: PipelineIn):
    pipeline = pipeline_services.create_pipeline(name=payload.name)
    return Status(201, _pipelines().get(pk=pipeline.pk))


@pipelines_router.post("/{int:pipeline_id}/stages", response={201: StageOut},
                       auth=change_pipelines, url_name="create_stage",
                       operation_id="create_stage", summary="Add a stage at the end")
def create_stage(request, pipeline_id: Id, payload: StageIn):
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    return Status(201, pipeline_services.add_stage(pipeline, **payload.model_dump()))


@pipelines_router.patch("/{int:pipeline_id}/stages/{int:stage_id}", response=StageOut,
                        auth=change_pipelines, url_name="update_stage",
                        operation_id="update_stage", summary="Change a stage")
def update_stage(request, pipeline_id: Id, stage_id: Id, payload: StagePatch):
    stage = get_object_or_404(Stage, pk=stage_id, pipeline_id=pipeline_id)
    changes = {"name": stage.name, "probability": stage.probability, "outcome": stage.outcome,
               **payload.model_dump(exclude_unset=True, exclude_none=True)}
    return pipeline_services.update_stage(stage, **changes)


# --- Property definitions ---------------------------------------------------------------------

PROPERTY_AREAS = {"contact": "contacts", "company": "companies", "deal": "deals"}

properties_router = Router(tags=["properties"])


class OptionSchema(Schema):
    value: str = Field(min_length=1, max_length=120)
    label: str = Field(min_length=1, max_length=120)


class PropertyOut(Schema):
    name: str
    label: str
    type: str
    group: str
    description: str
    options: list[OptionSchema]
    required: bool
    unique: bool
    validation: dict[str, Any]
    position: int
    archived: bool


class PropertyPage(Schema):
    results: list[PropertyOut]
    next: str | None


class PropertyIn(Input):
    label: str = Field(min_length=1, max_length=120)
    type: Literal[*PropertyType.values]
    name: str = Field("", max_length=63, description="Derived from the label when empty.")
    group: str = Field("", max_length=80)
    description: str = Field("", max_length=255)
    options: list[OptionSchema] = Field(default_factory=list)
    required: bool = False
    unique: bool = False
    validation: dict[str, Any] = Field(default_factory=dict,
                                       description='Rules: `{"min", "max", "pattern"}`.')


class PropertyPatch(Input):
    label: str | None = Field(None, min_length=1, max_length=120)
    group: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=255)
    options: list[OptionSchema] | None = None
    required: bool | None = None
    unique: bool | None = None
    validation: dict[str, Any] | None = None


def _definition(object_type: str, name: str) -> PropertyDefinition:
    return get_object_or_404(PropertyDefinition, object_type=object_type, name=name)


def _model_errors_under_body(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({f"body.{field}": messages
                            for field, messages in error.message_dict.items()})


def _add_property_routes(object_type: str, area: str) -> None:
    read, change = scope_required(f"{area}:read"), scope_required(f"{area}:write",
                                                                  capability=MANAGE)
    base = f"/{object_type}"

    @properties_router.get(base, response=PropertyPage, auth=read,
                           url_name=f"list_{object_type}_properties",
                           operation_id=f"list_{object_type}_properties",
                           summary=f"List {object_type} properties")
    def list_properties(request, pagination: Query[CursorPagination.Input],
                        include_archived: bool = False):
        definitions = PropertyDefinition.objects.filter(object_type=object_type)
        if not include_archived:
            definitions = definitions.filter(archived=False)
        return CursorPagination(order_by="position").paginate_queryset(
            definitions, pagination, request)

    @properties_router.post(base, response={201: PropertyOut}, auth=change,
                            url_name=f"create_{object_type}_property",
                            operation_id=f"create_{object_type}_property",
                            summary=f"Define a {object_type} property")
    def create_property(request, payload: PropertyIn):
        values = payload.model_dump()
        if values["name"] and PropertyDefinition.objects.filter(
                object_type=object_type, name=values["name"]).exists():
            raise ValidationError({"body.name": [_("A property with this name exists.")]})
        try:
            definition = property_services.create_property(
                actor=request.user, object_type=object_type, **values)
        except ValidationError as error:
            raise _model_errors_under_body(error) from None
        return Status(201, definition)

    @properties_router.patch(f"{base}/{{name}}", response=PropertyOut, auth=change,
                             url_name=f"update_{object_type}_property",
                             operation_id=f"update_{object_type}_property",
                             summary=f"Change a {object_type} property")
    def update_property(request, name: str, payload: PropertyPatch):
        definition = _definition(object_type, name)
        changes = payload.model_dump(exclude_unset=True, exclude_none=True)
        try:
            return property_services.update_property(definition, actor=request.user,
                                                     **changes)
        except ValidationError as error:
            raise _model_errors_under_body(error) from None

    @properties_router.post(f"{base}/{{name}}/archive", response=PropertyOut, auth=change,
                            url_name=f"archive_{object_type}_property",
                            operation_id=f"archive_{object_type}_property",
                            summary=f"Archive a {object_type} property (values are kept)")
    def archive_property(request, name: str):
        definition = _definition(object_type, name)
        property_services.set_archived(definition, actor=request.user, archived=True)
        return definition

    @properties_router.post(f"{base}/{{name}}/restore", response=PropertyOut, auth=change,
                            url_name=f"restore_{object_type}_property",
                            operation_id=f"restore_{object_type}_property",
                            summary=f"Restore an archived {object_type} property")
    def restore_property(request, name: str):
        definition = _definition(object_type, name)
        property_services.set_archived(definition, actor=request.user, archived=False)
        return definition


for _object_type, _area in PROPERTY_AREAS.items():
    _add_property_routes(_object_type, _area)
