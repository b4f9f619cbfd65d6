"""Set up a new deployment: the national ministry agency, its first admin, the national inspection templates.

Run once; reruns change nothing.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agency-name", default="农业农村部")
    parser.add_argument("--username", required=True, help="sign-in name of the first national admin")
    parser.add_argument("--name", required=True, help="the admin's full name")
    parser.add_argument("--email", help="invitation e-mail (Cognito)")
    parser.add_argument("--phone", help="invitation phone, +86...")
    parser.add_argument("--subject", help="OIDC subject, where the issuer is the agencies' own provider (China)")
    args = parser.parse_args()
    # Settings come from the environment of the deployed stack: TABLE_NAME, USER_POOL_ID, AWS_REGION.
    from chalicelib.inspections.service import seed_templates
    from chalicelib.orgs.bootstrap import bootstrap_national

    agency, user = bootstrap_national(
        agency_name=args.agency_name,
        username=args.username,
        name=args.name,
        email=args.email,
        phone=args.phone,
        subject=args.subject,
    )
    print(f"agency {agency.id} ({agency.name}); admin {user.username} = {user.id}")
    # The national templates that ship with the platform (国家默认巡查规范); a rerun adds only what is missing.
    print(f"inspection templates seeded: {seed_templates()}")


if __name__ == "__main__":
    main()
