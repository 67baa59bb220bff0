"""One small OpenAPI document per construct, all generated into one package (`conftest.py`).

Each becomes an API of the package named after its key (`client.query_styles`, ...). Operations
have one tag, so `client.<api>.<tag>.<operation>` reaches each.
"""

from __future__ import annotations

HEAD = """openapi: 3.1.0
info: {title: %s, version: '1'}
servers: [{url: 'https://api.wire.test'}]
"""

SPECS: dict[str, str] = {}

SPECS["query_styles"] = """
paths:
  /items:
    get:
      operationId: listItems
      tags: [items]
      parameters:
        - {name: form_array, in: query, schema: {type: array, items: {type: string}}}
        - {name: flat_array, in: query, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: point, in: query, schema: {$ref: '#/components/schemas/Point'}}
        - {name: flat_point, in: query, explode: false, schema: {$ref: '#/components/schemas/Point'}}
        - {name: spaced, in: query, style: spaceDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: piped, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: filter, in: query, style: deepObject, explode: true, schema: {$ref: '#/components/schemas/Filter'}}
        - {name: path, in: query, allowReserved: true, schema: {type: string}}
        - {name: escaped, in: query, schema: {type: string}}
        - {name: where, in: query, content: {application/json: {schema: {$ref: '#/components/schemas/Point'}}}}
      responses:
        '204': {description: none}
components:
  schemas:
    Point:
      type: object
      properties: {x: {type: integer}, y: {type: integer}}
    Filter:
      type: object
      properties:
        color: {type: string}
        size: {type: object, properties: {min: {type: integer}, max: {type: integer}}}
"""

SPECS["path_styles"] = """
paths:
  /stores/{store}/items/{ids}/{point}:
    parameters:
      - {name: point, in: path, required: true, style: matrix, explode: true, schema: {$ref: '#/components/schemas/Point'}}
      - {name: ids, in: path, required: true, style: label, schema: {type: array, items: {type: string}}}
      - {name: store, in: path, required: true, schema: {type: string}}
    get:
      operationId: getItems
      tags: [items]
      responses:
        '204': {description: none}
  /labels/{exploded}/{matrix}:
    get:
      operationId: getLabels
      tags: [items]
      parameters:
        - {name: exploded, in: path, required: true, style: label, explode: true, schema: {type: array, items: {type: string}}}
        - {name: matrix, in: path, required: true, style: matrix, schema: {type: array, items: {type: string}}}
      responses:
        '204': {description: none}
components:
  schemas:
    Point:
      type: object
      properties: {x: {type: integer}, y: {type: integer}}
"""

SPECS["headers_cookies"] = """
paths:
  /session:
    get:
      operationId: getSession
      tags: [session]
      parameters:
        - {name: X-Tags, in: header, schema: {type: array, items: {type: string}}}
        - {name: X-Point, in: header, explode: true, schema: {type: object, properties: {x: {type: integer}, y: {type: integer}}}}
        - {name: X-Flat-Point, in: header, schema: {type: object, properties: {x: {type: integer}, y: {type: integer}}}}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: theme, in: cookie, schema: {type: string}}
        - {name: prefs, in: cookie, explode: false, schema: {type: array, items: {type: string}}}
      responses:
        '204': {description: none}
"""

SPECS["defaults"] = """
paths:
  /items:
    get:
      operationId: listItems
      tags: [items]
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 25}}
        - {name: offset, in: query, required: true, schema: {type: integer, default: 1}}
        - {name: order, in: query, schema: {$ref: '#/components/schemas/Order'}}
        - {name: kind, in: query, schema: {type: string, enum: [a, b], default: b}}
        - {name: verbose, in: query, schema: {type: boolean, default: false}}
        - {name: label, in: query, schema: {type: string, default: all items}}
        - {name: ids, in: query, schema: {type: array, items: {type: integer}, default: [1, 2]}}
        - {name: token, in: query, schema: {type: string, format: uuid, default: not-a-uuid}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}
components:
  schemas:
    Order: {type: string, enum: [asc, desc], default: desc}
    Settings:
      type: object
      properties:
        size: {type: integer, default: 10}
        order: {$ref: '#/components/schemas/Order'}
        name: {type: string, default: unnamed}
        ratio: {type: number, default: 0.5}
"""

SPECS["deprecation"] = """
paths:
  /old:
    get:
      operationId: getOld
      tags: [legacy]
      deprecated: true
      responses:
        '204': {description: none}
  /items:
    get:
      operationId: listItems
      tags: [legacy]
      parameters:
        - {name: since, in: query, deprecated: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '204': {description: none}
"""

SPECS["multipart"] = """
paths:
  /imports:
    post:
      operationId: importProducts
      tags: [imports]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                extra_file: {type: string, format: binary}
                note: {type: string}
                count: {type: integer}
                tags: {type: array, items: {type: string}}
                meta: {type: object, properties: {source: {type: string}}}
                id: {type: string, readOnly: true}
                attachments: {type: array, items: {type: string, format: binary}}
                logo: {$ref: '#/components/schemas/Image'}
            encoding:
              file: {contentType: text/csv}
              note: {contentType: text/plain; charset=utf-8}
              logo: {contentType: image/png}
      responses:
        '201':
          description: started
          content:
            application/json: {schema: {type: object, properties: {id: {type: string}}}}
components:
  schemas:
    Image: {type: string, format: binary}
"""

SPECS["form"] = """
paths:
  /tokens:
    post:
      operationId: createToken
      tags: [tokens]
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [grant_type]
              properties:
                grant_type: {type: string}
                count: {type: integer}
                when: {type: string}
                scopes: {type: array, items: {type: string}}
                ids: {type: array, items: {type: integer}}
                filter: {type: object, properties: {a: {type: string}, b: {type: string}}}
            encoding:
              ids: {style: form, explode: false}
              filter: {style: deepObject, explode: true}
      responses:
        '204': {description: none}
"""

SPECS["content_types"] = """
paths:
  /products:
    post:
      operationId: createProduct
      tags: [products]
      requestBody:
        required: true
        content:
          application/vnd.api+json: {schema: {$ref: '#/components/schemas/Product'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Product'}}
          text/csv: {schema: {type: string}}
      responses:
        '204': {description: none}
  /blobs/{id}:
    put:
      operationId: putBlob
      tags: [products]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content:
          application/octet-stream: {schema: {type: string, format: binary}}
      responses:
        '204': {description: none}
  /notes:
    post:
      operationId: postNote
      tags: [products]
      requestBody:
        required: true
        content:
          text/plain: {schema: {type: string}}
      responses:
        '204': {description: none}
components:
  schemas:
    Product:
      type: object
      required: [name]
      properties: {name: {type: string}, price: {type: integer}}
"""

SPECS["responses"] = """
paths:
  /exports/{id}/file:
    get:
      operationId: downloadExport
      tags: [exports]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the file
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
        '404':
          description: missing
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
  /exports/{id}/report:
    get:
      operationId: getReport
      tags: [exports]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the report, as JSON or CSV
          content:
            application/json: {schema: {$ref: '#/components/schemas/Report'}}
            text/csv: {schema: {type: string}}
  /jobs:
    post:
      operationId: startJob
      tags: [exports]
      responses:
        '200': {description: done at once, content: {application/json: {schema: {$ref: '#/components/schemas/Report'}}}}
        '202': {description: queued, content: {application/json: {schema: {$ref: '#/components/schemas/Queued'}}}}
        '204': {description: nothing to do}
        '409': {description: busy, content: {application/json: {schema: {$ref: '#/components/schemas/Busy'}}}}
        default: {description: any other error, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
components:
  schemas:
    Report: {type: object, required: [rows], properties: {rows: {type: integer}}}
    Queued: {type: object, required: [position], properties: {position: {type: integer}}}
    Busy: {type: object, required: [retry_in], properties: {retry_in: {type: integer}}}
    Problem: {type: object, properties: {title: {type: string}, detail: {type: string}}}
"""

SPECS["read_write"] = """
paths:
  /accounts:
    post:
      operationId: createAccount
      tags: [accounts]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Account'}}}
      responses:
        '201':
          description: made
          content: {application/json: {schema: {$ref: '#/components/schemas/Account'}}}
  /accounts/{id}:
    get:
      operationId: getAccount
      tags: [accounts]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Receipt'}}}
  /signups:
    post:
      operationId: signUp
      tags: [accounts]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/SignUp'}}}
      responses:
        '204': {description: done}
components:
  schemas:
    Account:
      type: object
      required: [id, name, password, owner]
      properties:
        id: {type: string, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
        owner: {$ref: '#/components/schemas/Owner'}
    Owner:
      type: object
      required: [id, email]
      properties:
        id: {type: string, readOnly: true}
        email: {type: string}
    Receipt:
      type: object
      required: [id, secret]
      properties:
        id: {type: string, readOnly: true}
        secret: {type: string, writeOnly: true}
    SignUp:
      type: object
      required: [email, created]
      properties:
        email: {type: string}
        created: {type: string, readOnly: true}
        profile: {$ref: '#/components/schemas/Profile'}
    Profile:
      type: object
      properties: {nickname: {type: string}}
"""

SPECS["tuples"] = """
paths:
  /shapes:
    get:
      operationId: getShape
      tags: [shapes]
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Shape'}}}
components:
  schemas:
    Shape:
      type: object
      properties:
        pair: {type: array, prefixItems: [{type: integer}, {type: string}], items: false}
        header: {type: array, prefixItems: [{type: string}, {type: integer}], items: {type: number}}
        anything: {type: array, prefixItems: [{type: integer}]}
"""

SPECS["discriminators"] = """
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
  /animals:
    get:
      operationId: listAnimals
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Animal'}}
components:
  schemas:
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator:
        propertyName: kind
        mapping: {kitten: '#/components/schemas/Cat', puppy: '#/components/schemas/Dog'}
    Cat: {type: object, properties: {kind: {type: string}, lives: {type: integer}}}
    Dog: {type: object, properties: {kind: {type: string}, lives: {type: integer}}}
    Animal:
      oneOf: [{$ref: '#/components/schemas/Bird'}, {$ref: '#/components/schemas/Fish'}]
      discriminator: {propertyName: type}
    Bird:
      type: object
      required: [type]
      properties: {type: {const: bird}, wings: {type: integer}}
    Fish:
      type: object
      required: [type]
      properties: {type: {const: fish}, fins: {type: integer}}
"""

SPECS["datetimes"] = """
paths:
  /events:
    get:
      operationId: listEvents
      tags: [events]
      parameters:
        - {name: since, in: query, schema: {type: string, format: date-time}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Event'}}}
    post:
      operationId: createEvent
      tags: [events]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Event'}}}
      responses:
        '204': {description: done}
components:
  schemas:
    Event:
      type: object
      required: [at]
      properties:
        at: {type: string, format: date-time}
        day: {type: string, format: date}
"""

SPECS["untyped"] = """
paths:
  /things:
    get:
      operationId: getThing
      tags: [things]
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Holder'}}}
components:
  schemas:
    Holder:
      type: object
      required: [owner]
      properties:
        owner: {$ref: '#/components/schemas/Untyped'}
        labels: {type: object, properties: {a: {type: string}}, additionalProperties: true}
    Untyped:
      properties: {name: {type: string}}
"""

SPECS["ref_chains"] = """
paths:
  /orders/{id}:
    parameters: [{$ref: '#/components/parameters/OrderIdAlias'}]
    put:
      operationId: replaceOrder
      tags: [orders]
      parameters: [{$ref: '#/components/parameters/ExpandAlias'}]
      requestBody: {$ref: '#/components/requestBodies/OrderBodyAlias'}
      responses:
        '200': {$ref: '#/components/responses/OrderResponseAlias'}
components:
  parameters:
    OrderIdAlias: {$ref: '#/components/parameters/OrderId'}
    OrderId: {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/IdAlias'}}
    ExpandAlias: {$ref: '#/components/parameters/Expand'}
    Expand: {name: expand, in: query, explode: false, schema: {type: array, items: {type: string}}}
  requestBodies:
    OrderBodyAlias: {$ref: '#/components/requestBodies/OrderBody'}
    OrderBody:
      required: true
      content: {application/json: {schema: {$ref: '#/components/schemas/OrderAlias'}}}
  responses:
    OrderResponseAlias: {$ref: '#/components/responses/OrderResponse'}
    OrderResponse:
      description: the order
      content: {application/json: {schema: {$ref: '#/components/schemas/OrderAlias'}}}
  schemas:
    IdAlias: {$ref: '#/components/schemas/Id'}
    Id: {type: string}
    OrderAlias: {$ref: '#/components/schemas/Order'}
    Order:
      type: object
      required: [total]
      properties: {total: {type: integer}, note: {type: string}}
"""

SPECS["maps"] = """
paths:
  /stock:
    get:
      operationId: getStock
      tags: [stock]
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Stock'}}}
    put:
      operationId: putStock
      tags: [stock]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/StockUpdate'}}}
      responses:
        '204': {description: done}
components:
  schemas:
    Stock:
      type: object
      properties: {warehouse: {type: string}}
      additionalProperties: {type: integer}
    Levels:
      type: object
      additionalProperties: {$ref: '#/components/schemas/Level'}
    Level:
      type: object
      required: [amount]
      properties: {amount: {type: integer}}
    StockUpdate:
      type: object
      required: [levels]
      properties:
        levels: {$ref: '#/components/schemas/Levels'}
        counts: {type: object, properties: {total: {type: integer}}, additionalProperties: {type: integer}}
"""
