"""Custom properties: definitions of the extra fields admins add to each record type.

Core fields are real columns; custom property values live in each record's `properties`
JSON column, described by `PropertyDefinition` rows (type, options, group, validation).
"""
