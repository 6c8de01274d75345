"""One APIRouter per resource; ``missionrag.api.create_app`` includes them all."""
