"""The import engine: reading files (parsing), matching columns to properties (mapping),
turning cells into values (transforms, validation) and writing them set-based (writing,
engine). `clarion.integrations.services` is its public face."""
