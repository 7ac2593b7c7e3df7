"""users: the skills catalogue covers roles beyond engineering: customer support, sales, operations and the
skills every role shares (communication, languages), so HR can find and invite candidates for them.

Ids are uuid5 of the slug like 0002's seed, so every database gets the same rows. A category or skill an admin
already created under the same name or slug is kept as it is (ON CONFLICT DO NOTHING), and the downgrade
removes only rows no candidate has listed.

Revision ID: 0005
Revises: 0004
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# After 0002's eight engineering categories (sort orders 1-8).
CATEGORIES = [
    ("Customer Support", "customer-support", "Helping customers by phone, chat and e-mail", 9),
    ("Sales", "sales", "Finding, winning and keeping customers", 10),
    ("Operations", "operations", "Running the day-to-day: logistics, planning, administration", 11),
    ("Communication & Languages", "communication-languages", "Skills every role shares", 12),
]

SKILLS = {
    "customer-support": [
        ("Customer Service", "customer-service", "Helping customers courteously and solving their problem"),
        ("Complaint Handling", "complaint-handling", "Calming an upset customer and putting things right"),
        ("Live Chat Support", "live-chat-support", "Supporting several customers at once in writing"),
        ("Phone Support", "phone-support", "Call-centre and helpline work"),
        ("Technical Support", "technical-support", "Troubleshooting products with customers"),
        ("Zendesk", "zendesk", "Help-desk ticketing"),
        ("Knowledge Base Writing", "knowledge-base-writing", "Clear help articles and saved replies"),
    ],
    "sales": [
        ("Prospecting", "prospecting", "Finding and qualifying new leads"),
        ("Cold Calling", "cold-calling", "Opening conversations with new prospects"),
        ("Negotiation", "negotiation", "Agreeing terms both sides accept"),
        ("Account Management", "account-management", "Keeping and growing existing customers"),
        ("Salesforce", "salesforce", "CRM pipeline and reporting"),
        ("HubSpot", "hubspot", "CRM and marketing automation"),
        ("Retail Sales", "retail-sales", "Selling face to face in a shop"),
        ("Product Demos", "product-demos", "Showing a product's value to a buyer"),
    ],
    "operations": [
        ("Logistics", "logistics", "Moving goods on time and on budget"),
        ("Inventory Management", "inventory-management", "Stock levels, counts and reordering"),
        ("Scheduling", "scheduling", "Rosters, shifts and appointments"),
        ("Process Improvement", "process-improvement", "Making recurring work faster and safer"),
        ("Vendor Management", "vendor-management", "Choosing and managing suppliers"),
        ("Office Administration", "office-administration", "Keeping an office running"),
        ("Microsoft Excel", "microsoft-excel", "Spreadsheets, formulas and pivot tables"),
        ("Project Coordination", "project-coordination", "Keeping plans, people and deadlines in step"),
    ],
    "communication-languages": [
        ("Written Communication", "written-communication", "Clear e-mails, reports and messages"),
        ("Public Speaking", "public-speaking", "Presenting to groups"),
        ("Teamwork", "teamwork", "Working well with colleagues"),
        ("English", "english", "Working proficiency in English"),
        ("German", "german", "Working proficiency in German"),
        ("Spanish", "spanish", "Working proficiency in Spanish"),
        ("French", "french", "Working proficiency in French"),
    ],
}


def seed_id(kind: str, slug: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"aivi:{kind}:{slug}")


def upgrade() -> None:
    conn = op.get_bind()
    for name, slug, description, order in CATEGORIES:
        conn.execute(
            sa.text(
                "INSERT INTO skill_categories (id, name, slug, description, sort_order)"
                " VALUES (:id, :name, :slug, :description, :order) ON CONFLICT DO NOTHING"
            ),
            {
                "id": seed_id("skill-category", slug),
                "name": name,
                "slug": slug,
                "description": description,
                "order": order,
            },
        )
    for category, rows in SKILLS.items():
        for name, slug, description in rows:
            # The category by slug: an admin's own category of that slug, if it predates this seed, takes them.
            conn.execute(
                sa.text(
                    "INSERT INTO skills (id, name, slug, description, category_id, is_active)"
                    " SELECT :id, :name, :slug, :description, c.id, true"
                    " FROM skill_categories c WHERE c.slug = :category"
                    " ON CONFLICT DO NOTHING"
                ),
                {
                    "id": seed_id("skill", slug),
                    "name": name,
                    "slug": slug,
                    "description": description,
                    "category": category,
                },
            )


def downgrade() -> None:
    conn = op.get_bind()
    skill_ids = [seed_id("skill", slug) for rows in SKILLS.values() for _, slug, _ in rows]
    conn.execute(
        sa.text(
            "DELETE FROM skills s WHERE s.id = ANY(:ids)"
            " AND NOT EXISTS (SELECT 1 FROM candidate_skills cs WHERE cs.skill_id = s.id)"
        ),
        {"ids": skill_ids},
    )
    conn.execute(
        sa.text(
            "DELETE FROM skill_categories c WHERE c.id = ANY(:ids)"
            " AND NOT EXISTS (SELECT 1 FROM skills s WHERE s.category_id = c.id)"
        ),
        {"ids": [seed_id("skill-category", slug) for _, slug, _, _ in CATEGORIES]},
    )
