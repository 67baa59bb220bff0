"""The schema parser, one JSON-Schema construct at a time: the IR type each gives."""

from __future__ import annotations

from pathlib import Path

from generator import ir

from .support import parse_document, parse_schemas

STR = ir.PrimitiveType("str")
INT = ir.PrimitiveType("int")
BOOL = ir.PrimitiveType("bool")
FLOAT = ir.PrimitiveType("float")


# ------------------------------------------------------------------------------------------- objects
def test_an_object_gives_a_model_with_required_and_optional_fields(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          description: A job.
          required: [id]
          properties:
            id: {type: string, description: Its id.}
            createdAt: {type: string, format: date-time}
            size: {type: integer, deprecated: true}
        """,
    )
    job = parsed.model("Job")
    assert job.description == "A job."
    assert [(f.wire_name, f.py_name, f.type, f.required) for f in job.fields] == [
        ("id", "id", STR, True),
        ("createdAt", "created_at", ir.PrimitiveType("datetime"), False),
        ("size", "size", INT, False),
    ]
    assert job.fields[0].description == "Its id."
    assert [f.deprecated for f in job.fields] == [False, False, True]


def test_an_inline_object_is_named_after_its_model_and_property(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            meta:
              type: object
              properties:
                owner: {type: string}
        """,
    )
    assert parsed.field("Job", "meta").type == ir.ModelRef("JobMeta")
    assert parsed.classes == ["Job", "JobMeta"]


def test_a_recursive_model_refers_to_itself(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Node:
          type: object
          properties:
            children:
              type: array
              items: {$ref: '#/components/schemas/Node'}
        """,
    )
    assert parsed.field("Node", "children").type == ir.ListType(ir.ModelRef("Node"))


def test_read_only_and_write_only_properties_are_flagged(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        User:
          type: object
          required: [id, password, name]
          properties:
            id: {type: string, readOnly: true}
            password: {type: string, writeOnly: true}
            name: {type: string}
        """,
    )
    assert [
        (f.wire_name, f.required, f.read_only, f.write_only) for f in parsed.model("User").fields
    ] == [
        ("id", True, True, False),
        ("password", True, False, True),
        ("name", True, False, False),
    ]


def test_a_valid_default_is_carried_and_an_invalid_one_dropped_with_a_warning(
    tmp_path: Path,
) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Colour: {type: string, enum: [red, green]}
        Job:
          type: object
          properties:
            limit: {type: integer, default: 25}
            tags: {type: array, items: {type: string}, default: [a, b]}
            where: {type: object, default: {x: 1}}
            colour: {$ref: '#/components/schemas/Colour', default: green}
            id: {type: string, format: uuid, default: notauuid}
            at: {type: string, format: date-time, default: '2024-01-01T00:00:00'}
            day: {type: string, format: date, default: '2024-02-30'}
            count: {type: integer, default: '3'}
            shade: {$ref: '#/components/schemas/Colour', default: blue}
        """,
    )
    defaults = {f.wire_name: f.default for f in parsed.model("Job").fields}
    assert defaults == {
        "limit": ir.Default(25),
        "tags": ir.Default(("a", "b")),
        "where": ir.Default(ir.JsonObject((("x", 1),))),
        "colour": ir.Default("green"),
        "id": None,
        "at": None,
        "day": None,
        "count": None,
        "shade": None,
    }
    messages = [
        f"#{w.location.pointer}: {w.message}"
        for w in parsed.report.warnings
        if w.code == "invalid-default"
    ]
    base = "#/components/schemas/Job/properties"
    assert messages == [
        f"{base}/id/default: invalid default 'notauuid' of property 'id': not a UUID "
        "(format: uuid); the client has no default",
        f"{base}/at/default: invalid default '2024-01-01T00:00:00' of property 'at': not an "
        "RFC 3339 date-time with a time zone (format: date-time); the client has no default",
        f"{base}/day/default: invalid default '2024-02-30' of property 'day': not a date, "
        "YYYY-MM-DD (format: date); the client has no default",
        f"{base}/count/default: invalid default '3' of property 'count': not an integer; "
        "the client has no default",
        f"{base}/shade/default: invalid default 'blue' of property 'shade': not one of the "
        "enum's values; the client has no default",
    ]


# ------------------------------------------------------------------------------------------ nullable
def test_nullable_in_30_wraps_the_type(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            name: {type: string, nullable: true}
            owner:
              nullable: true
              allOf: [{$ref: '#/components/schemas/Owner'}]
        Owner:
          type: object
          properties:
            id: {type: string}
        """,
        version="3.0.3",
    )
    assert parsed.field("Job", "name").type == ir.NullableType(STR)
    assert parsed.field("Job", "owner").type == ir.NullableType(ir.ModelRef("Owner"))


def test_a_type_array_in_31_is_nullable_or_a_union(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            name: {type: [string, 'null']}
            size: {type: [string, integer]}
            nothing: {type: 'null'}
        """,
    )
    assert parsed.field("Job", "name").type == ir.NullableType(STR)
    assert parsed.field("Job", "size").type == ir.UnionType((STR, INT))
    assert parsed.field("Job", "nothing").type == ir.PrimitiveType("none")


def test_nullable_in_a_31_document_is_repaired_into_a_type_array(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            name: {type: string, nullable: true}
        """,
    )
    assert parsed.field("Job", "name").type == ir.NullableType(STR)
    assert parsed.warnings == ["nullable-in-3.1"]


# --------------------------------------------------------------------------------------------- enums
def test_an_enum_of_strings_is_a_str_enum_class(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Status:
          type: string
          description: Where a job is.
          enum: [pending, in-progress, 2fa]
        """,
    )
    status = parsed.enum("Status")
    assert status.value_kind == "str"
    assert status.description == "Where a job is."
    assert [(m.py_name, m.value) for m in status.members] == [
        ("PENDING", "pending"),
        ("IN_PROGRESS", "in-progress"),
        ("VALUE_2FA", "2fa"),
    ]


def test_enums_of_integers_and_of_floats(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Level: {type: integer, enum: [1, 2, -3]}
        Job:
          type: object
          properties:
            ratio: {$ref: '#/components/schemas/Ratio'}
        Ratio: {type: number, enum: [1, 0.5]}
        """,
    )
    level, ratio = parsed.enum("Level"), parsed.enum("Ratio")
    assert (level.value_kind, [(m.py_name, m.value) for m in level.members]) == (
        "int",
        [("VALUE_1", 1), ("VALUE_2", 2), ("MINUS_3", -3)],
    )
    assert ratio.value_kind == "float"
    assert [(m.py_name, m.value, type(m.value)) for m in ratio.members] == [
        ("VALUE_1", 1.0, float),
        ("VALUE_0_POINT_5", 0.5, float),
    ]


def test_null_among_enum_values_makes_the_enum_nullable(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            status: {enum: [pending, done, null]}
        """,
    )
    assert parsed.field("Job", "status").type == ir.NullableType(ir.EnumRef("JobStatus"))
    assert [m.value for m in parsed.enum("JobStatus").members] == ["pending", "done"]


def test_an_enum_value_listed_twice_is_kept_once_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_schemas(tmp_path, "Status: {type: string, enum: [a, b, a]}")
    assert [m.value for m in parsed.enum("Status").members] == ["a", "b"]
    assert parsed.warning("enum-duplicate") == (
        "#/components/schemas/Status/enum: enum value 'a' is listed twice"
    )


def test_enum_values_that_collide_as_names_get_suffixes_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_schemas(tmp_path, "Status: {type: string, enum: [a-b, a_b, A B]}")
    assert [m.py_name for m in parsed.enum("Status").members] == ["A_B", "A_B_2", "A_B_3"]
    assert parsed.warnings == ["enum-collision", "enum-collision"]


def test_an_enum_of_one_value_or_of_mixed_kinds_is_a_literal(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            kind: {type: string, enum: [export]}
            mixed: {enum: [a, 1, true]}
        """,
    )
    assert parsed.field("Job", "kind").type == ir.LiteralType(("export",))
    assert parsed.field("Job", "mixed").type == ir.LiteralType(("a", 1, True))
    assert parsed.classes == ["Job"]


def test_nan_is_left_out_of_an_enum(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path, "Job: {type: object, properties: {ratio: {type: number, enum: [.nan, 0.5, 1.5]}}}"
    )
    assert [m.value for m in parsed.enum("JobRatio").members] == [0.5, 1.5]
    assert parsed.warnings == ["enum-nan"]


# -------------------------------------------------------------------------------------------- consts
def test_const_is_a_literal_and_a_float_const_is_a_float_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            type: {const: job}
            ratio: {const: 0.5}
        """,
    )
    assert parsed.field("Job", "type").type == ir.LiteralType(("job",))
    assert parsed.field("Job", "ratio").type == FLOAT
    assert parsed.warning("enum-float").startswith(
        "#/components/schemas/Job/properties/ratio/const: const value 0.5 is a float"
    )


def test_a_const_object_is_not_checked_but_the_schema_type_is_kept(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            shape: {type: object, const: {a: 1}}
        """,
    )
    assert parsed.field("Job", "shape").type == ir.DictType(ir.ANY)
    assert parsed.warnings == ["unsupported-keyword"]


# -------------------------------------------------------------------------------------------- unions
PETS = """
Cat:
  type: object
  required: [pet_type]
  properties:
    pet_type: {const: cat}
Dog:
  type: object
  required: [pet_type]
  properties:
    pet_type: {type: string, enum: [dog]}
Loose:
  type: object
  properties:
    pet_type: {const: loose}
"""


def _pet(tmp_path: Path, pet: str) -> ir.TypeRef:
    schemas = PETS + "Owner:\n  type: object\n  properties:\n    pet: " + pet
    return parse_schemas(tmp_path, schemas).field("Owner", "pet").type


CAT, DOG, LOOSE = ir.ModelRef("Cat"), ir.ModelRef("Dog"), ir.ModelRef("Loose")


def test_one_of_without_a_discriminator_is_a_plain_union(tmp_path: Path) -> None:
    pet = "{oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]}"
    assert _pet(tmp_path, pet) == ir.UnionType((CAT, DOG))


def test_a_discriminator_pydantic_can_use_gets_the_fields_python_name(tmp_path: Path) -> None:
    pet = (
        "{oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}],"
        " discriminator: {propertyName: pet_type}}"
    )
    # The values of the literal fields choose the options (not the schemas' names, which the
    # fields rule out).
    mapping = (("cat", "Cat"), ("dog", "Dog"))
    assert _pet(tmp_path, pet) == ir.UnionType(
        (CAT, DOG), ir.Discriminator(wire_name="pet_type", py_name="pet_type", mapping=mapping)
    )


def test_a_discriminator_whose_property_is_optional_somewhere_is_not_settled(
    tmp_path: Path,
) -> None:
    pet = (
        "{anyOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Loose'}],"
        " discriminator: {propertyName: pet_type}}"
    )
    mapping = (("cat", "Cat"), ("loose", "Loose"))
    assert _pet(tmp_path, pet) == ir.UnionType(
        (CAT, LOOSE), ir.Discriminator("pet_type", None, mapping)
    )


def test_a_discriminator_mapping_names_the_option_of_each_value(tmp_path: Path) -> None:
    """`mapping` values are component names or `$ref`s; an option it leaves out is chosen by its
    schema's name (the implicit mapping) when its field is not a literal."""
    pets = PETS + (
        "Bird:\n  type: object\n  required: [pet_type]\n"
        "  properties:\n    pet_type: {type: string}\n"
        "Fish:\n  type: object\n  properties:\n    pet_type: {type: string}\n"
    )
    pet = (
        "{oneOf: [{$ref: '#/components/schemas/Bird'}, {$ref: '#/components/schemas/Fish'},"
        " {$ref: '#/components/schemas/Dog'}],"
        " discriminator: {propertyName: pet_type, mapping: {"
        "bird: Bird, dog: '#/components/schemas/Dog', cat: '#/components/schemas/Cat'}}}"
    )
    parsed = parse_schemas(
        tmp_path, pets + "Owner:\n  type: object\n  properties:\n    pet: " + pet
    )
    union = parsed.field("Owner", "pet").type
    assert isinstance(union, ir.UnionType) and union.discriminator is not None
    # Mapped first; then each option's name, unless its field is a literal that rules it out
    # (Dog's field takes only "dog").
    assert union.discriminator.mapping == (
        ("bird", "Bird"),
        ("dog", "Dog"),
        ("Bird", "Bird"),
        ("Fish", "Fish"),
    )
    assert union.discriminator.py_name is None  # Bird and Fish's fields are plain strings
    # Cat is no option of this union: the mapping's entry is ignored, with a warning.
    assert parsed.warning("discriminator-mapping") == (
        "#/components/schemas/Owner/properties/pet/discriminator/mapping/cat: discriminator "
        "mapping 'cat' -> '#/components/schemas/Cat' is not one of the oneOf options; ignored"
    )


def test_a_discriminator_beside_an_option_that_is_not_a_model_is_dropped(tmp_path: Path) -> None:
    pet = (
        "{oneOf: [{$ref: '#/components/schemas/Cat'}, {type: string}],"
        " discriminator: {propertyName: pet_type}}"
    )
    assert _pet(tmp_path, pet) == ir.UnionType((CAT, STR), None)


def test_null_among_the_options_makes_the_union_nullable(tmp_path: Path) -> None:
    pet = "{oneOf: [{$ref: '#/components/schemas/Cat'}, {type: string}, {type: 'null'}]}"
    assert _pet(tmp_path, pet) == ir.NullableType(ir.UnionType((CAT, STR)))


def test_a_union_of_one_option_is_that_option(tmp_path: Path) -> None:
    pet = "{anyOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Cat'}]}"
    assert _pet(tmp_path, pet) == CAT


# --------------------------------------------------------------------------------------------- allOf
OWNER = """
Owner:
  type: object
  required: [id]
  properties:
    id: {type: string}
Audited:
  type: object
  properties:
    created: {type: string, format: date}
"""


def test_all_of_a_single_ref_is_that_class(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        OWNER
        + """
Job:
  type: object
  properties:
    owner:
      description: Who started it.
      allOf: [{$ref: '#/components/schemas/Owner'}]
""",
    )
    assert parsed.field("Job", "owner").type == ir.ModelRef("Owner")
    assert parsed.classes == ["Owner", "Audited", "Job"]


def test_all_of_several_refs_merges_their_properties_into_a_new_model(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        OWNER
        + """
AuditedOwner:
  allOf:
    - {$ref: '#/components/schemas/Owner'}
    - {$ref: '#/components/schemas/Audited'}
    - type: object
      required: [created]
      properties:
        note: {type: string}
""",
    )
    merged = parsed.model("AuditedOwner")
    assert [(f.wire_name, f.required) for f in merged.fields] == [
        ("id", True),
        ("created", True),
        ("note", False),
    ]


def test_all_of_one_inline_part_is_that_part(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            size:
              allOf: [{type: integer}, {description: In bytes.}]
        """,
    )
    assert parsed.field("Job", "size").type == INT


def test_all_of_that_refers_back_to_its_schema_is_left_out_naming_the_cycle(
    tmp_path: Path,
) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        A:
          allOf:
            - {$ref: '#/components/schemas/B'}
            - {type: object, properties: {a: {type: string}}}
        B:
          allOf:
            - {$ref: '#/components/schemas/A'}
            - {type: object, properties: {b: {type: string}}}
        C: {type: object, properties: {c: {type: string}}}
        """,
    )
    assert parsed.classes == ["C"]
    assert [(s.code, s.location.pointer, s.message) for s in parsed.report.skipped] == [
        (
            "ref-cycle",
            "/components/schemas/A/allOf/0",
            "circular $ref: allOf refers back to the schema it is part of: "
            "#/components/schemas/B -> #/components/schemas/A -> #/components/schemas/B; "
            "the component schema 'A' is left out",
        ),
        (
            "ref-cycle",
            "/components/schemas/B/allOf/0",
            "circular $ref: allOf refers back to the schema it is part of: "
            "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A; "
            "the component schema 'B' is left out",
        ),
    ]


# ------------------------------------------------------------------------------ additionalProperties
def test_typed_additional_properties_alone_is_a_dict(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            labels: {type: object, additionalProperties: {type: integer}}
            anything: {type: object, additionalProperties: true}
            free: {type: object}
        """,
    )
    assert parsed.field("Job", "labels").type == ir.DictType(INT)
    assert parsed.field("Job", "anything").type == ir.DictType(ir.ANY)
    assert parsed.field("Job", "free").type == ir.DictType(ir.ANY)


def test_typed_additional_properties_beside_properties_is_the_models_extra(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            id: {type: string}
          additionalProperties:
            type: object
            properties:
              value: {type: string}
        """,
    )
    assert parsed.model("Job").additional == ir.ModelRef("JobValue")
    assert [f.wire_name for f in parsed.model("Job").fields] == ["id"]


def test_additional_properties_true_beside_properties_is_an_untyped_extra(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Open:
          type: object
          properties: {id: {type: string}}
          additionalProperties: true
        AlsoOpen:
          type: object
          properties: {id: {type: string}}
          additionalProperties: {}
        Closed:
          type: object
          properties: {id: {type: string}}
        """,
    )
    assert parsed.model("Open").additional == ir.ANY
    assert parsed.model("AlsoOpen").additional == ir.ANY
    assert parsed.model("Closed").additional is None


def test_an_object_schema_without_a_type_also_allows_null(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Untyped:
          properties: {id: {type: string}}
        Typed:
          type: object
          properties:
            untyped: {$ref: '#/components/schemas/Untyped'}
            again: {$ref: '#/components/schemas/Untyped'}
            inline: {properties: {a: {type: string}}}
            map: {additionalProperties: {type: integer}}
            merged: {allOf: [{$ref: '#/components/schemas/Typed'}, {properties: {b: {type: string}}}]}
        """,
    )
    untyped = ir.NullableType(ir.ModelRef("Untyped"))
    assert parsed.field("Typed", "untyped").type == untyped
    assert parsed.field("Typed", "again").type == untyped  # the class was built by then
    assert parsed.field("Typed", "inline").type == ir.NullableType(ir.ModelRef("TypedInline"))
    assert parsed.field("Typed", "map").type == ir.NullableType(ir.DictType(INT))
    # allOf with a typed part: an object, whatever the other parts say.
    assert parsed.field("Typed", "merged").type == ir.ModelRef("TypedMerged")


def test_an_all_of_whose_parts_name_no_type_also_allows_null(tmp_path: Path) -> None:
    # The published subscriptions spec's JobTimestamps: an allOf of a $ref and an inline part, none
    # with a type; JSON Schema lets null through, and so does the client.
    parsed = parse_schemas(
        tmp_path,
        """
        Times:
          required: [created_at]
          properties: {created_at: {type: string}}
        JobTimes:
          allOf:
            - {$ref: '#/components/schemas/Times'}
            - {properties: {finished_at: {type: string}}}
        Nested:
          allOf: [{$ref: '#/components/schemas/JobTimes'}]
        TypedTimes:
          type: object
          properties: {created_at: {type: string}}
        Meta:
          type: object
          required: [times, nested, inline, typed, typed_part, mixed]
          properties:
            times: {$ref: '#/components/schemas/JobTimes'}
            nested: {$ref: '#/components/schemas/Nested'}
            inline: {allOf: [{$ref: '#/components/schemas/Times'}, {properties: {b: {type: string}}}]}
            typed: {type: object, allOf: [{$ref: '#/components/schemas/Times'}]}
            typed_part: {allOf: [{$ref: '#/components/schemas/TypedTimes'}]}
            mixed: {allOf: [{$ref: '#/components/schemas/Times'}, {enum: [a]}]}
        """,
    )
    assert parsed.field("Meta", "times").type == ir.NullableType(ir.ModelRef("JobTimes"))
    assert isinstance(parsed.field("Meta", "nested").type, ir.NullableType)  # parts of parts
    assert isinstance(parsed.field("Meta", "inline").type, ir.NullableType)
    for typed in ("typed", "typed_part", "mixed"):
        assert not isinstance(parsed.field("Meta", typed).type, ir.NullableType), typed


# -------------------------------------------------------------------------------------------- arrays
def test_arrays_of_refs_and_of_anything(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        OWNER
        + """
Job:
  type: object
  properties:
    owners: {type: array, items: {$ref: '#/components/schemas/Owner'}}
    tags: {type: array}
    sizes: {type: array, items: {type: array, items: {type: integer}}}
""",
    )
    assert parsed.field("Job", "owners").type == ir.ListType(ir.ModelRef("Owner"))
    assert parsed.field("Job", "tags").type == ir.ListType(ir.ANY)
    assert parsed.field("Job", "sizes").type == ir.ListType(ir.ListType(INT))


def test_items_given_as_a_list_are_repaired(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        OWNER
        + """
Job:
  type: object
  properties:
    owners: {type: array, items: [{$ref: '#/components/schemas/Owner'}]}
""",
        version="3.0.3",
    )
    assert parsed.field("Job", "owners").type == ir.ListType(ir.ModelRef("Owner"))
    assert parsed.warnings == ["items-list"]


def test_arrays_nested_deeper_than_python_parses_lose_their_innermost_levels(
    tmp_path: Path,
) -> None:
    """Python's parser stops at 200 nested brackets: the 100 levels below the outermost 5 of 105
    are typed Any, with one warning where they start."""
    depth = 105
    schema = "{type: array, items: " * depth + "{type: integer}" + "}" * depth
    parsed = parse_schemas(tmp_path, f"Deep: {{type: object, properties: {{v: {schema}}}}}")
    type_, levels = parsed.field("Deep", "v").type, 0
    while isinstance(type_, ir.ListType):
        type_, levels = type_.item, levels + 1
    assert (levels, type_) == (depth - 100, ir.ANY)
    pointer = "/components/schemas/Deep/properties/v" + "/items" * (depth - 100)
    assert parsed.warning("too-deep").startswith(f"#{pointer}: arrays and maps nest more than 100")


def test_prefix_items_carry_a_tuple_closed_by_items_false(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Point:
          type: object
          properties:
            closed: {type: array, prefixItems: [{type: number}, {type: string}], items: false}
            open: {type: array, prefixItems: [{type: integer}]}
            rest: {type: array, prefixItems: [{type: integer}], items: {type: boolean}}
        """,
    )
    number = ir.PrimitiveType("float")
    # `item` stays what a plain list of the array's items gives (a client that knows no tuples).
    assert parsed.field("Point", "closed").type == ir.ListType(
        ir.ANY, ir.TupleType((number, STR), None)
    )
    assert parsed.field("Point", "open").type == ir.ListType(ir.ANY, ir.TupleType((INT,), ir.ANY))
    assert parsed.field("Point", "rest").type == ir.ListType(BOOL, ir.TupleType((INT,), BOOL))
    assert parsed.warnings == []  # prefixItems is understood


def test_an_unsupported_keyword_is_reported_not_checked(tmp_path: Path) -> None:
    parsed = parse_schemas(tmp_path, "Job: {type: object, properties: {a: {not: {type: string}}}}")
    assert parsed.field("Job", "a").type == ir.ANY
    assert parsed.warning("unsupported-keyword") == (
        "#/components/schemas/Job/properties/a/not: "
        "schema keyword 'not' is not checked by the client"
    )


# ---------------------------------------------------------------------------------------------- $ref
def test_a_ref_to_another_file_becomes_a_class_of_this_api(tmp_path: Path) -> None:
    (tmp_path / "shared.yaml").write_text(
        "Owner:\n  type: object\n  properties:\n    id: {type: string}\n", encoding="utf-8"
    )
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            owner: {$ref: 'shared.yaml#/Owner'}
        """,
    )
    assert parsed.field("Job", "owner").type == ir.ModelRef("Owner")
    assert parsed.model("Owner").location.file.endswith("shared.yaml")


def test_a_ref_to_itself_leaves_out_the_property_naming_the_cycle(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Job:
          type: object
          properties:
            loop: {$ref: '#/components/schemas/Loop'}
            id: {type: string}
        Loop: {$ref: '#/components/schemas/Loop'}
        """,
    )
    assert [f.wire_name for f in parsed.model("Job").fields] == ["id"]
    (skipped,) = parsed.report.skipped
    assert (skipped.code, skipped.location.pointer, skipped.message) == (
        "ref-cycle",
        "/components/schemas/Loop",
        "circular $ref: #/components/schemas/Loop -> #/components/schemas/Loop; "
        "the property 'loop' of Job is left out",
    )


def test_component_schemas_claim_their_names_before_inline_ones(tmp_path: Path) -> None:
    """`Job.meta` would be `JobMeta`, but a component has that name: the component keeps it."""
    parsed = parse_document(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: T, version: '1'}
        paths: {}
        components:
          schemas:
            Job:
              type: object
              properties:
                meta: {type: object, properties: {a: {type: string}}}
            JobMeta:
              type: object
              properties:
                b: {type: string}
        """,
    )
    assert parsed.field("Job", "meta").type == ir.ModelRef("JobMeta2")
    assert [f.wire_name for f in parsed.model("JobMeta").fields] == ["b"]


def test_an_integer_wider_than_64_bits_is_typed_int_beside_the_rest_with_a_warning(
    tmp_path: Path,
) -> None:
    # pydantic compares listed integers as signed 64-bit numbers: 2**63 would never validate.
    parsed = parse_schemas(
        tmp_path,
        """
        Level: {type: integer, enum: [1, 2, 9223372036854775808]}
        Huge: {type: integer, enum: [-9223372036854775809, 18446744073709551616]}
        Edge: {type: integer, enum: [-9223372036854775808, 9223372036854775807]}
        Job:
          type: object
          properties:
            level: {$ref: '#/components/schemas/Level'}
            huge: {$ref: '#/components/schemas/Huge'}
            edge: {$ref: '#/components/schemas/Edge'}
            big: {const: 9223372036854775808}
            some: {enum: [9223372036854775808, low, null]}
        """,
    )
    integer = ir.PrimitiveType("int")
    assert parsed.field("Job", "level").type == ir.UnionType((integer, ir.LiteralType((1, 2))))
    assert "Level" not in parsed.classes and "Huge" not in parsed.classes
    assert parsed.field("Job", "huge").type == integer
    assert [m.value for m in parsed.enum("Edge").members] == [-(2**63), 2**63 - 1]
    assert parsed.field("Job", "big").type == integer
    assert parsed.field("Job", "some").type == ir.NullableType(
        ir.UnionType((integer, ir.LiteralType(("low",))))
    )
    messages = [w.message for w in parsed.report.warnings if w.code == "enum-int-range"]
    assert len(messages) == 4
    assert messages[0] == (
        "enum value 9223372036854775808 is wider than 64 bits, which the client's validation "
        "cannot compare: the client types it as int and does not check it"
    )
