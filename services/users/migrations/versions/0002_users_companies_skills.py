"""users: users, candidate profiles, companies and membership, the skills taxonomy (seeded as the
reference's `AddSkillsAndCompanies` seeds it: 8 categories, 52 skills).

Revision ID: 0002
Revises: 0001
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CATEGORIES = [
    ("Programming Languages", "programming-languages", "Core programming languages"),
    ("Frontend Frameworks", "frontend-frameworks", "Frontend frameworks and libraries"),
    ("Backend Frameworks", "backend-frameworks", "Backend frameworks and technologies"),
    ("Databases", "databases", "Database systems and technologies"),
    ("DevOps & Cloud", "devops-cloud", "DevOps tools and cloud platforms"),
    ("Mobile Development", "mobile-development", "Mobile app development"),
    ("Testing & QA", "testing-qa", "Testing frameworks and QA tools"),
    ("Tools & IDEs", "tools-ides", "Development tools and IDEs"),
]

SKILLS = {
    "programming-languages": [
        ("JavaScript", "javascript", "Popular web programming language"),
        ("TypeScript", "typescript", "Typed superset of JavaScript"),
        ("Python", "python", "Versatile programming language"),
        ("Java", "java", "Enterprise programming language"),
        ("Go", "go", "Google programming language"),
        ("Rust", "rust", "Systems programming language"),
        ("C#", "csharp", ".NET programming language"),
        ("PHP", "php", "Server-side scripting language"),
        ("Ruby", "ruby", "Dynamic programming language"),
        ("C++", "cpp", "High-performance programming language"),
    ],
    "frontend-frameworks": [
        ("React", "react", "Popular JavaScript library"),
        ("Vue.js", "vuejs", "Progressive JavaScript framework"),
        ("Angular", "angular", "TypeScript-based framework"),
        ("Next.js", "nextjs", "React framework"),
        ("Svelte", "svelte", "Compiler-based framework"),
        ("Nuxt.js", "nuxtjs", "Vue.js framework"),
        ("Tailwind CSS", "tailwindcss", "Utility-first CSS framework"),
    ],
    "backend-frameworks": [
        ("Node.js", "nodejs", "JavaScript runtime"),
        ("Express.js", "expressjs", "Node.js framework"),
        ("NestJS", "nestjs", "Progressive Node.js framework"),
        ("Django", "django", "Python web framework"),
        ("FastAPI", "fastapi", "Modern Python framework"),
        ("Spring Boot", "spring-boot", "Java framework"),
        ("Laravel", "laravel", "PHP framework"),
        ("Ruby on Rails", "ruby-on-rails", "Ruby framework"),
        (".NET Core", "dotnet-core", "Microsoft framework"),
    ],
    "databases": [
        ("PostgreSQL", "postgresql", "Advanced SQL database"),
        ("MySQL", "mysql", "Popular SQL database"),
        ("MongoDB", "mongodb", "NoSQL document database"),
        ("Redis", "redis", "In-memory data store"),
        ("Elasticsearch", "elasticsearch", "Search engine"),
        ("Oracle", "oracle", "Enterprise database"),
        ("Microsoft SQL Server", "mssql", "Microsoft database"),
    ],
    "devops-cloud": [
        ("Docker", "docker", "Containerization platform"),
        ("Kubernetes", "kubernetes", "Container orchestration"),
        ("AWS", "aws", "Amazon Web Services"),
        ("Azure", "azure", "Microsoft cloud platform"),
        ("GCP", "gcp", "Google Cloud Platform"),
        ("Jenkins", "jenkins", "CI/CD automation"),
        ("GitHub Actions", "github-actions", "CI/CD platform"),
        ("Terraform", "terraform", "Infrastructure as Code"),
        ("Ansible", "ansible", "Configuration management"),
    ],
    "mobile-development": [
        ("React Native", "react-native", "Cross-platform mobile framework"),
        ("Flutter", "flutter", "Google mobile framework"),
        ("Swift", "swift", "iOS programming language"),
        ("Kotlin", "kotlin", "Android programming language"),
        ("Xamarin", "xamarin", "Microsoft mobile framework"),
    ],
    "testing-qa": [
        ("Jest", "jest", "JavaScript testing framework"),
        ("Cypress", "cypress", "E2E testing framework"),
        ("Selenium", "selenium", "Browser automation"),
        ("Playwright", "playwright", "Modern E2E testing"),
        ("Mocha", "mocha", "JavaScript test framework"),
        ("JUnit", "junit", "Java testing framework"),
    ],
    "tools-ides": [
        ("Git", "git", "Version control system"),
        ("VS Code", "vscode", "Code editor"),
        ("IntelliJ IDEA", "intellij", "Java IDE"),
        ("Postman", "postman", "API testing tool"),
        ("Jira", "jira", "Project management tool"),
        ("Figma", "figma", "Design tool"),
    ],
}


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("external_auth_id", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("avatar_key", sa.Text),
        sa.Column("bio", sa.Text),
        sa.Column("phone", sa.String(50)),
        sa.Column("timezone", sa.String(50), server_default="UTC", nullable=False),
        sa.Column("language", sa.String(10), server_default="en", nullable=False),
        sa.Column("email_verified", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(20), server_default="active", nullable=False),
        sa.Column("role", sa.String(20), server_default="pending", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        *_timestamps(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        # Concurrent registrations of one identity meet here: one INSERT wins, the other gets a 409.
        sa.UniqueConstraint("external_auth_id", name="uq_users_external_auth_id"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.CheckConstraint("status IN ('active', 'suspended', 'deleted')", name="ck_users_status"),
        sa.CheckConstraint("role IN ('pending', 'candidate', 'hr', 'admin')", name="ck_users_role"),
    )
    op.create_index("ix_users_status", "users", ["status"])
    op.create_index("ix_users_role", "users", ["role"])
    op.create_index("ix_users_created_at", "users", ["created_at"])

    op.create_table(
        "candidate_profiles",
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_candidate_profiles_user_id_users")),
        sa.Column("experience_level", sa.String(20)),
        sa.Column("is_profile_complete", sa.Boolean, server_default=sa.false(), nullable=False),
        *_timestamps(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_candidate_profiles"),
        sa.CheckConstraint(
            "experience_level IN ('junior', 'mid', 'senior', 'lead')", name="ck_candidate_profiles_experience_level"
        ),
    )

    categories = op.create_table(
        "skill_categories",
        sa.Column("id", sa.Uuid),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("sort_order", sa.Integer, server_default="0", nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_skill_categories"),
        sa.UniqueConstraint("name", name="uq_skill_categories_name"),
        sa.UniqueConstraint("slug", name="uq_skill_categories_slug"),
    )
    skills = op.create_table(
        "skills",
        sa.Column("id", sa.Uuid),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column(
            "category_id",
            sa.Uuid,
            sa.ForeignKey("skill_categories.id", ondelete="SET NULL", name="fk_skills_category_id_skill_categories"),
        ),
        sa.Column("description", sa.Text),
        sa.Column("is_active", sa.Boolean, server_default=sa.true(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_skills"),
        sa.UniqueConstraint("slug", name="uq_skills_slug"),
    )
    op.create_index("ix_skills_category_id", "skills", ["category_id"])

    op.create_table(
        "candidate_skills",
        sa.Column("id", sa.Uuid),
        sa.Column(
            "candidate_id",
            sa.Uuid,
            sa.ForeignKey(
                "candidate_profiles.user_id", ondelete="CASCADE", name="fk_candidate_skills_candidate_id_candidate_profiles"
            ),
            nullable=False,
        ),
        sa.Column(
            "skill_id",
            sa.Uuid,
            sa.ForeignKey("skills.id", ondelete="CASCADE", name="fk_candidate_skills_skill_id_skills"),
            nullable=False,
        ),
        sa.Column("description", sa.Text),
        sa.Column("proficiency_level", sa.String(20), server_default="beginner", nullable=False),
        sa.Column("years_of_experience", sa.Integer, server_default="0", nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_candidate_skills"),
        sa.UniqueConstraint("candidate_id", "skill_id", name="uq_candidate_skills_candidate_skill"),
        sa.CheckConstraint(
            "proficiency_level IN ('beginner', 'intermediate', 'advanced', 'expert')",
            name="ck_candidate_skills_proficiency_level",
        ),
        sa.CheckConstraint("years_of_experience BETWEEN 0 AND 50", name="ck_candidate_skills_years"),
    )
    op.create_index("ix_candidate_skills_candidate_id", "candidate_skills", ["candidate_id"])
    op.create_index("ix_candidate_skills_skill_id", "candidate_skills", ["skill_id"])

    op.create_table(
        "companies",
        sa.Column("id", sa.Uuid),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("website", sa.String(255)),
        sa.Column("logo_url", sa.String(500)),
        sa.Column("industry", sa.String(100)),
        sa.Column("size", sa.String(10)),
        sa.Column("location", sa.String(255)),
        sa.Column("is_active", sa.Boolean, server_default=sa.true(), nullable=False),
        sa.Column(
            "created_by", sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_companies_created_by_users")
        ),
        *_timestamps(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_companies"),
        sa.UniqueConstraint("name", name="uq_companies_name"),
        sa.CheckConstraint("size IN ('1-10', '11-50', '51-200', '200+')", name="ck_companies_size"),
    )
    op.create_index("ix_companies_created_by", "companies", ["created_by"])

    op.create_table(
        "user_companies",
        sa.Column("id", sa.Uuid),
        sa.Column(
            "user_id",
            sa.Uuid,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_user_companies_user_id_users"),
            nullable=False,
        ),
        sa.Column(
            "company_id",
            sa.Uuid,
            sa.ForeignKey("companies.id", ondelete="CASCADE", name="fk_user_companies_company_id_companies"),
            nullable=False,
        ),
        sa.Column("position", sa.String(100)),
        sa.Column("is_primary", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_user_companies"),
        sa.UniqueConstraint("user_id", "company_id", name="uq_user_companies_user_company"),
    )
    op.create_index("ix_user_companies_user_id", "user_companies", ["user_id"])
    op.create_index("ix_user_companies_company_id", "user_companies", ["company_id"])

    # Fixed ids (uuid5 of the slug) so every database seeds the same taxonomy.
    def seed_id(kind: str, slug: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"aivi:{kind}:{slug}")

    op.bulk_insert(
        categories,
        [
            {"id": seed_id("skill-category", slug), "name": name, "slug": slug, "description": description, "sort_order": order}
            for order, (name, slug, description) in enumerate(CATEGORIES, start=1)
        ],
    )
    op.bulk_insert(
        skills,
        [
            {
                "id": seed_id("skill", slug),
                "name": name,
                "slug": slug,
                "description": description,
                "category_id": seed_id("skill-category", category),
                "is_active": True,
            }
            for category, rows in SKILLS.items()
            for name, slug, description in rows
        ],
    )


def downgrade() -> None:
    for table in ("user_companies", "companies", "candidate_skills", "skills", "skill_categories", "candidate_profiles", "users"):
        op.drop_table(table)
