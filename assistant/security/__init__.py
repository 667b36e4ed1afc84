"""Staff-only access: login and roles, personal-data masking, audit trail, input guards."""
